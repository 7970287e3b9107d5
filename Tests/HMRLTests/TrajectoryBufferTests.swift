import Foundation
import Testing
@testable import HMRL
import HMTensor

/// The buffer R: the insertion criterion, eviction, filtering and ranking, persistence.
struct TrajectoryBufferTests {
  func trajectory(task: Int, rewards: [Double]) -> Trajectory {
    Trajectory(observations: rewards.map { _ in 0.5 }, actions: rewards.map { _ in 1 }, rewards: rewards,
               logProbs: rewards.map { _ in -0.7 }, observationSize: 1, actionSize: 1, terminated: true,
               taskIndex: task, features: [Double(task)])
  }

  func batch(meanReturn target: Double, episodes: Int = 4, seed: UInt64 = 1) throws -> Batch {
    // Episodes of a 2D-navigation task; the criterion only reads their returns.
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [4])
    var rng = RandomStream(seed: seed)
    let theta = try policy.initialParameters(using: &rng)
    return try sampleBatch(try Navigation2D(goal: [0.2, 0.1], horizon: 5), policy: policy, parameters: theta,
                           episodes: episodes, seed: seed)
  }

  @Test func algorithmOneCriterionIsOnTheBatchLoss() throws {
    let b = try batch(meanReturn: 0)
    var r = try TrajectoryBuffer(capacity: 100)
    // L = −mean return; the batch enters only when L < δ.
    #expect(try r.insert(b, criterion: .lossBelow(-b.meanReturn - 1e-9)) == 0)
    #expect(try r.insert(b, criterion: .lossBelow(-b.meanReturn + 1e-9)) == b.episodeCount)
    #expect(r.entries.allSatisfy { $0.trajectory.logProbs.count == $0.trajectory.length })
  }

  @Test func topQuantileKeepsTheBestEpisodes() throws {
    let b = try batch(meanReturn: 0, episodes: 8)
    var r = try TrajectoryBuffer(capacity: 100)
    let n = try r.insert(b, criterion: .topQuantile(0.75))
    let cut = TrajectoryBuffer.quantile(b.undiscountedReturns, 0.75)
    #expect(n == b.undiscountedReturns.filter { $0 >= cut }.count && n >= 2)
    do { _ = try r.insert(b, criterion: .topQuantile(1.5)); Issue.record("a quantile above 1 must fail") }
    catch { #expect(error is RLError) }
  }

  @Test func evictionPolicies() throws {
    var worst = try TrajectoryBuffer(capacity: 2, eviction: .lowestReturn)
    worst.insert(trajectory(task: 0, rewards: [1]))
    worst.insert(trajectory(task: 1, rewards: [3]))
    let keptWorse = worst.insert(trajectory(task: 2, rewards: [0]))   // worse than everything
    let keptBetter = worst.insert(trajectory(task: 3, rewards: [2]))  // evicts the return-1 entry
    #expect(!keptWorse && keptBetter)
    #expect(worst.entries.map(\.taskIndex).sorted() == [1, 3])
    var fifo = try TrajectoryBuffer(capacity: 2, eviction: .oldest)
    for t in 0..<3 { fifo.insert(trajectory(task: t, rewards: [Double(10 - t)])) }
    #expect(fifo.entries.map(\.taskIndex) == [1, 2])
  }

  @Test func filteringAndRanking() throws {
    var r = try TrajectoryBuffer(capacity: 10)
    for t in 0..<6 { r.insert(trajectory(task: t % 3, rewards: [Double(t)])) }
    var rng = RandomStream(seed: 3)
    let picked = r.sample(5, where: { $0.taskIndex == 1 }, using: &rng)
    #expect(picked.count == 2 && picked.allSatisfy { $0.taskIndex == 1 })
    let top = r.ranked(2) { -abs($0.features[0] - 2) }      // similarity to task 2
    #expect(top.map(\.taskIndex) == [2, 2])
    #expect(r.statistics.perTask == [0: 2, 1: 2, 2: 2])
  }

  @Test func saveLoadRoundTripAndBadFiles() throws {
    var r = try TrajectoryBuffer(capacity: 5, eviction: .oldest)
    for t in 0..<3 { r.insert(trajectory(task: t, rewards: [1, Double(t)])) }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hm-buffer-\(getpid()).json").path
    try r.save(to: path)
    let back = try TrajectoryBuffer.load(from: path)
    #expect(back == r)
    try "{\"format\": \"other\"}".write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: RLError.self) { _ = try TrajectoryBuffer.load(from: path) }
    #expect(throws: RLError.self) { _ = try TrajectoryBuffer.load(from: path + ".missing") }
    // The folders leading to the file are created, as every other writer does; an impossible
    // path is an RLError naming buffer.save and the system's reason.
    let nested = FileManager.default.temporaryDirectory.appendingPathComponent("hm-buffer-\(getpid())/a/b/r.json").path
    try r.save(to: nested)
    #expect(try TrajectoryBuffer.load(from: nested) == r)
    expectRLError(.invalidArgument, containing: "buffer.save: cannot create /proc/no-such-folder/r.json") {
      try r.save(to: "/proc/no-such-folder/r.json")
    }
  }
}
