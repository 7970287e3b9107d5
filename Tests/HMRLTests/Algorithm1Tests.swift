import Testing
@testable import HMRL
import HMTensor

/// Algorithm 1 on a tiny maze family: R fills, both labels occur, runs are reproducible.
struct Algorithm1Tests {
  let tasks: [TabularEnvironment]
  let policy: CategoricalMLPPolicy

  init() throws {
    let maze = try GridMaze(map: """
      ######
      #S...#
      #....#
      ######
      """, horizon: 10)
    tasks = try goalTasks(maze).map { try TabularEnvironment(maze: try $0.maze(), observation: .oneHot, features: $0.features) }
    policy = try CategoricalMLPPolicy(observationSize: maze.stateCount, actionCount: 4, hidden: [16])
  }

  func run(iterations: Int = 2, threads: Int = 1, stopAfter: Int? = nil, minimumEpisodeReturn: Double? = nil) throws -> HindsightResult {
    var rng = RandomStream(seed: 3)
    let theta = try policy.initialParameters(using: &rng)
    var c = HindsightConfiguration()
    c.iterations = iterations; c.episodes = 8; c.delta = -0.2; c.siameseSteps = 20; c.seed = 5; c.epsilonQuantile = 0.5
    c.minimumEpisodeReturn = minimumEpisodeReturn
    var sc = SiameseConfiguration(inputSize: 2)
    sc.hidden = [16]; sc.embeddingSize = 8
    return try Parallelism.$threadCount.withValue(threads) {
      try hindsight(policy: policy, tasks: tasks, metaParameters: theta, buffer: try TrajectoryBuffer(capacity: 1000),
                    siamese: try SiameseNetwork(configuration: sc), configuration: c) { r, _, _ in
        stopAfter.map { r.iteration + 1 < $0 } ?? true
      }
    }
  }

  @Test func fillsTheBufferAndYieldsBothLabels() throws {
    let r = try run()
    #expect(tasks.count == 7)
    #expect(r.records.count == 2)
    #expect(r.buffer.count > 0)
    // Line 9: only batches whose mean return beat −δ entered, and they entered whole.
    #expect(r.buffer.entries.allSatisfy { (0..<tasks.count).contains($0.taskIndex) })
    #expect(r.records[1].bufferSize == r.buffer.count)
    #expect(r.pairs.count == tasks.count * (tasks.count - 1) / 2)
    #expect(r.pairs.contains(where: \.similar) && r.pairs.contains(where: { !$0.similar }))
    #expect(r.records.allSatisfy { $0.positiveRate > 0 && $0.positiveRate < 1 && $0.siameseLoss != nil })
    #expect(r.heldOutTasks.count == 2 && r.records[0].heldOut != nil)
    #expect(r.siamese.trainingSteps == 40)
    #expect(r.divergences.count == tasks.count && r.adaptedParameters.count == tasks.count)
  }

  @Test func admittedBatchesEnterWholeOrOnlyTheirGoodEpisodes() throws {
    let whole = try run(), successes = try run(minimumEpisodeReturn: 0.5)
    // Line 10 as the note writes it: failed episodes of an admitted batch enter too.
    #expect(whole.buffer.entries.contains { $0.undiscountedReturn == 0 })
    #expect(successes.buffer.count > 0)
    #expect(successes.buffer.entries.allSatisfy { $0.undiscountedReturn >= 0.5 })
    #expect(successes.buffer.count < whole.buffer.count)
  }

  @Test func sameSeedSameRunWithOneAndTwoThreads() throws {
    let a = try run(threads: 1), b = try run(threads: 2)
    #expect(a.buffer == b.buffer)
    #expect(a.divergences == b.divergences)
    #expect(a.pairs == b.pairs)
    #expect(a.siamese.parameters.tensors.map { $0.toArray() } == b.siamese.parameters.tensors.map { $0.toArray() })
  }

  @Test func theObserverStopsTheRun() throws {
    let r = try run(iterations: 5, stopAfter: 1)
    #expect(r.records.count == 1)
  }

  @Test func badInputIsAnError() throws {
    var rng = RandomStream(seed: 3)
    let theta = try policy.initialParameters(using: &rng)
    let f = try SiameseNetwork(configuration: SiameseConfiguration(inputSize: 2))
    #expect(throws: RLError.self) {
      try hindsight(policy: policy, tasks: [tasks[0]], metaParameters: theta, buffer: try TrajectoryBuffer(), siamese: f)
    }
    let wrongSize = try SiameseNetwork(configuration: SiameseConfiguration(inputSize: 3))
    #expect(throws: RLError.self) {
      try hindsight(policy: policy, tasks: tasks, metaParameters: theta, buffer: try TrajectoryBuffer(), siamese: wrongSize)
    }
    var c = HindsightConfiguration()
    c.epsilonQuantile = 1
    #expect(throws: RLError.self) {
      try hindsight(policy: policy, tasks: tasks, metaParameters: theta, buffer: try TrajectoryBuffer(), siamese: f, configuration: c)
    }
  }
}
