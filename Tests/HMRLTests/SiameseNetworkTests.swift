import Foundation
import HMTensor
import HMTestSupport
import Testing
@testable import HMRL

/// The Siamese task metric f_φ (the note's §II): its structure, gradients, learning a known
/// similarity with either encoder, diagnostics, persistence and input errors.
struct SiameseNetworkTests {
  // MARK: Fixtures

  /// `count` goals uniform in [0, 1]² from the stream (seed, [stream]).
  func goals(_ count: Int, seed: UInt64 = 7, stream: UInt64) -> [[Double]] {
    var rng = RandomStream(seed: seed, stream: [stream])
    return (0..<count).map { _ in [rng.uniform(), rng.uniform()] }
  }

  /// Every pair i < j, similar iff ‖gᵢ − gⱼ‖ < radius.
  func pairsByDistance(_ goals: [[Double]], radius: Double = 0.3) -> [TaskPair] {
    goals.indices.flatMap { i in
      (i + 1..<goals.count).map { j in
        TaskPair(i, j, similar: hypot(goals[i][0] - goals[j][0], goals[i][1] - goals[j][1]) < radius)
      }
    }
  }

  /// `count` transitions (s, a, r, s′) of the goal task g: s uniform in [0, 1]², a uniform in
  /// [−0.1, 0.1]², s′ = s + a, r = −‖s′ − g‖ (2D navigation's reward).
  func transitions(goal g: [Double], count: Int, seed: UInt64) -> TaskDescription {
    var rng = RandomStream(seed: seed, stream: [99])
    var rows: [Double] = []
    for _ in 0..<count {
      let s = [rng.uniform(), rng.uniform()], a = [rng.uniform(-0.1, 0.1), rng.uniform(-0.1, 0.1)]
      let next = [s[0] + a[0], s[1] + a[1]]
      rows += s + a + [-hypot(next[0] - g[0], next[1] - g[1])] + next
    }
    return .transitions(rows, transitionSize: 7)
  }

  func smallConfiguration(_ encoder: SiameseConfiguration.Encoder = .features, dtype: DType = .float32) -> SiameseConfiguration {
    var c = SiameseConfiguration(inputSize: encoder == .features ? 2 : 7, encoder: encoder)
    c.hidden = [8]
    c.setHidden = [6]
    c.embeddingSize = 4
    c.batchSize = 8
    c.transitionsPerTask = 5
    c.dtype = dtype
    c.seed = 3
    return c
  }

  // MARK: Structure

  @Test func similarityIsSymmetricInTheUnitIntervalAndSigmaOfBOnTheDiagonal() throws {
    var f = try SiameseNetwork(configuration: smallConfiguration())
    let g = goals(12, stream: 1)
    let tasks = g.map { TaskDescription.features($0) }
    _ = try f.train(tasks: tasks, pairs: pairsByDistance(g), steps: 20)   // so that b ≠ 0
    let b = f.parameters[f.parameters.count - 1].toArray()[0]
    #expect(b != 0)
    let m = try f.similarityMatrix(tasks)
    for i in tasks.indices {
      #expect(isClose(try f.similarity(tasks[i], tasks[i]), 1 / (1 + exp(-b)), rtol: 1e-15, atol: 0))
      #expect(isClose(m[i][i], 1 / (1 + exp(-b)), rtol: 1e-15, atol: 0))
      for j in tasks.indices {
        let s = try f.similarity(tasks[i], tasks[j])
        #expect(s == (try f.similarity(tasks[j], tasks[i])))
        #expect(s >= 0 && s <= 1)
        #expect(m[i][j] == m[j][i])
        #expect(abs(m[i][j] - s) <= 1e-6, "batched and single embeddings agree to float32 rounding")
      }
    }
    let pairs = [TaskPair(0, 1, similar: true), TaskPair(3, 2, similar: false)]
    #expect(try f.similarities(tasks, pairs: pairs) == [m[0][1], m[3][2]])
    #expect(try f.embeddings(tasks).allSatisfy { $0.count == 4 })
  }

  @Test func sameSeedSameParametersAndLossesOtherSeedDiffers() throws {
    let g = goals(16, stream: 2)
    let tasks = g.map { TaskDescription.features($0) }, pairs = pairsByDistance(g)
    func run(seed: UInt64) throws -> (Double, Double, [Double]) {
      var c = smallConfiguration()
      c.seed = seed
      var f = try SiameseNetwork(configuration: c)
      let first = try f.train(tasks: tasks, pairs: pairs, steps: 5)
      let second = try f.train(tasks: tasks, pairs: pairs, steps: 5)
      #expect(f.trainingSteps == 10)
      return (first, second, try f.parameters.flattened().toArray())
    }
    let a = try run(seed: 1), b = try run(seed: 1), c = try run(seed: 2)
    #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2)
    #expect(a.0 != c.0 && a.2 != c.2)
    #expect(a.0 != a.1, "the second call draws new minibatches and continues Adam")
  }

  // MARK: Gradients

  @Test(arguments: SiameseConfiguration.Encoder.allCases)
  func lossGradientMatchesFiniteDifferences(_ encoder: SiameseConfiguration.Encoder) throws {
    let f = try SiameseNetwork(configuration: smallConfiguration(encoder, dtype: .float64))
    let g = goals(5, stream: 3)
    // Transition sets of different sizes exercise the per-set pooling path.
    let tasks = encoder == .features ? g.map { TaskDescription.features($0) }
      : g.enumerated().map { transitions(goal: $0.element, count: 3 + $0.offset, seed: UInt64($0.offset)) }
    let pairs = [TaskPair(0, 1, similar: true), TaskPair(1, 2, similar: false), TaskPair(3, 4, similar: true),
                 TaskPair(4, 0, similar: false)]
    try checkGradients("siamese \(encoder) BCE", at: f.parameters.tensors, rtol: 1e-5, atol: 1e-7) { xs in
      try f.loss(tasks, pairs: pairs, parameters: try f.parameters.replacing(xs))
    }
    // The loss is the BCE of the similarities.
    let s = try f.similarities(tasks, pairs: pairs)
    let bce = zip(s, pairs).map { p, pair in pair.similar ? -log(p) : -log(1 - p) }.reduce(0, +) / 4
    #expect(isClose(try f.loss(tasks, pairs: pairs, parameters: f.parameters).item(), bce, rtol: 1e-12, atol: 0))
    #expect(isClose(try f.diagnostics(tasks, pairs: pairs).loss, bce, rtol: 1e-12, atol: 0))
  }

  // MARK: Learning a known similarity

  func featuresNetwork(seed: UInt64 = 1) throws -> SiameseNetwork {
    var c = SiameseConfiguration(inputSize: 2)
    c.hidden = [32, 32]
    c.embeddingSize = 16
    c.learningRate = 1e-2
    c.seed = seed
    return try SiameseNetwork(configuration: c)
  }

  /// Similar iff the goals are about as far from the centre of the square (|rᵢ − rⱼ| < 0.05):
  /// the embedding must forget the angle, so a random network ranks these pairs at chance.
  func pairsByRing(_ goals: [[Double]]) -> [TaskPair] {
    let r = goals.map { hypot($0[0] - 0.5, $0[1] - 0.5) }
    return goals.indices.flatMap { i in (i + 1..<goals.count).map { j in TaskPair(i, j, similar: abs(r[i] - r[j]) < 0.05) } }
  }

  @Test func featuresEncoderLearnsGoalDistanceSimilarity() throws {
    let train = goals(60, stream: 10), heldOut = goals(30, stream: 11)
    var f = try featuresNetwork()
    let heldOutTasks = heldOut.map { TaskDescription.features($0) }, heldOutPairs = pairsByDistance(heldOut)
    // NOTE: a random smooth embedding already ranks these pairs well (untrained AUC 0.95–0.996
    // over seeds 0–4), so the accuracy and the loss are what show the learning here.
    let untrained = try f.diagnostics(heldOutTasks, pairs: heldOutPairs)
    let loss = try f.train(tasks: train.map { .features($0) }, pairs: pairsByDistance(train), steps: 600)
    let d = try f.diagnostics(heldOutTasks, pairs: heldOutPairs)
    print("siamese features, distance < 0.3: train loss \(loss), held-out untrained \(untrained), trained \(d)")
    #expect(d.auc >= 0.95, "held-out AUC \(d.auc)")
    #expect(d.accuracy >= 0.9, "held-out accuracy \(d.accuracy); all-dissimilar scores \(1 - d.positiveRate)")
    #expect(d.loss < 0.25 && untrained.loss > 0.45, "held-out BCE \(untrained.loss) → \(d.loss)")
  }

  @Test func featuresEncoderTrainedOnInvertedLabelsLearnsTheInverse() throws {
    let train = goals(60, stream: 10), heldOut = goals(30, stream: 11)
    var f = try featuresNetwork()
    let inverted = pairsByDistance(train).map { TaskPair($0.first, $0.second, similar: !$0.similar) }
    _ = try f.train(tasks: train.map { .features($0) }, pairs: inverted, steps: 600)
    let d = try f.diagnostics(heldOut.map { .features($0) }, pairs: pairsByDistance(heldOut))
    #expect(d.auc <= 0.1, "held-out AUC against the true labels \(d.auc)")
  }

  @Test func featuresEncoderLearnsASimilarityARandomNetworkCannotRank() throws {
    let train = goals(60, stream: 10), heldOut = goals(30, stream: 11)
    var f = try featuresNetwork()
    let heldOutTasks = heldOut.map { TaskDescription.features($0) }
    let untrained = try f.diagnostics(heldOutTasks, pairs: pairsByRing(heldOut))
    _ = try f.train(tasks: train.map { .features($0) }, pairs: pairsByRing(train), steps: 600)
    let d = try f.diagnostics(heldOutTasks, pairs: pairsByRing(heldOut))
    print("siamese features, same ring: held-out untrained AUC \(untrained.auc), trained \(d)")
    #expect(untrained.auc < 0.6, "untrained AUC \(untrained.auc)")
    #expect(d.auc >= 0.93, "held-out AUC \(d.auc)")
  }

  @Test func transitionsEncoderIsPermutationInvariant() throws {
    for dtype in [DType.float64, .float32] {
      let f = try SiameseNetwork(configuration: smallConfiguration(.transitions, dtype: dtype))
      guard case .transitions(let rows, _) = transitions(goal: [0.2, 0.7], count: 40, seed: 1) else { return }
      var rng = RandomStream(seed: 4)
      var order = Array(0..<40)
      order.shuffle(using: &rng)
      let shuffled = order.flatMap { rows[($0 * 7)..<(($0 + 1) * 7)] }
      #expect(shuffled != rows)
      let e = try f.embeddings([.transitions(rows, transitionSize: 7), .transitions(shuffled, transitionSize: 7)])
      expectClose(e[1], e[0], rtol: 0, atol: dtype == .float64 ? 1e-12 : 1e-6, "\(dtype) embedding after shuffling")
      // Twin: dropping transitions changes the embedding.
      let fewer = try f.embeddings([.transitions(Array(rows[0..<70]), transitionSize: 7)])
      #expect(zip(fewer[0], e[0]).contains { abs($0 - $1) > 1e-4 })
    }
  }

  @Test func transitionsEncoderLearnsGoalDistanceSimilarity() throws {
    let train = goals(60, stream: 20), heldOut = goals(30, stream: 21)
    let trainTasks = train.enumerated().map { transitions(goal: $0.element, count: 40, seed: UInt64($0.offset)) }
    let heldOutTasks = heldOut.enumerated().map { transitions(goal: $0.element, count: 40, seed: 1000 + UInt64($0.offset)) }
    var c = SiameseConfiguration(inputSize: 7, encoder: .transitions)
    c.setHidden = [32, 32]
    c.hidden = [32]
    c.embeddingSize = 16
    c.learningRate = 1e-2
    c.transitionsPerTask = 16
    c.seed = 1
    var f = try SiameseNetwork(configuration: c)
    // Measured held-out AUC over seeds 1–3: 0.57–0.60 untrained, 0.95–0.98 after 1500 steps.
    let untrained = try f.diagnostics(heldOutTasks, pairs: pairsByDistance(heldOut))
    let loss = try f.train(tasks: trainTasks, pairs: pairsByDistance(train), steps: 1500)
    let d = try f.diagnostics(heldOutTasks, pairs: pairsByDistance(heldOut))
    print("siamese transitions: train loss \(loss), held-out untrained AUC \(untrained.auc), trained \(d)")
    #expect(untrained.auc < 0.65, "untrained AUC \(untrained.auc)")
    #expect(d.auc >= 0.93, "held-out AUC \(d.auc)")
  }

  // MARK: Diagnostics

  @Test func diagnosticsMatchAHandComputedExampleWithTies() throws {
    let p = [0.9, 0.4, 0.4, 0.1, 0.7], y = [true, true, false, false, false]
    let d = try siameseDiagnostics(predictions: p, labels: y)
    // Positive-negative pairs: 0.9 beats all three (3); 0.4 ties 0.4 (½), beats 0.1, loses to 0.7.
    #expect(d.auc == 4.5 / 6)
    #expect(d.accuracy == 3.0 / 5)
    #expect(d.positiveRate == 0.4)
    #expect(d.count == 5)
    #expect(isClose(d.loss, -(log(0.9) + log(0.4) + log(0.6) + log(0.9) + log(0.3)) / 5, rtol: 1e-14, atol: 0))
    #expect(try siameseDiagnostics(predictions: [0.9, 0.4, 0.4, 0.1], labels: [true, true, false, false]).auc == 0.875)
    #expect(try siameseDiagnostics(predictions: [0.2, 0.8], labels: [true, false]).auc == 0)
    #expect(try siameseDiagnostics(predictions: [0, 1], labels: [true, false]).loss.isFinite, "clamped")
  }

  @Test func diagnosticsUndefinedOrInvalid() throws {
    #expect(try siameseDiagnostics(predictions: [0.3, 0.6], labels: [true, true]).auc.isNaN)
    #expect(try siameseDiagnostics(predictions: [], labels: []).count == 0)
    expectRLError(.shapeMismatch, containing: "2 predictions but 1 labels") {
      try siameseDiagnostics(predictions: [0.1, 0.2], labels: [true])
    }
    expectRLError(.invalidProbability, containing: "prediction 1 is nan") {
      try siameseDiagnostics(predictions: [0.1, .nan], labels: [true, false])
    }
    expectRLError(.invalidProbability, containing: "prediction 0 is 1.5") {
      try siameseDiagnostics(predictions: [1.5], labels: [true])
    }
  }

  /// Three clusters of four tasks; similar iff same cluster.
  func clusteredPairs() -> (n: Int, pairs: [TaskPair], cluster: [Int]) {
    let cluster = (0..<12).map { $0 / 4 }
    let pairs = (0..<12).flatMap { i in (i + 1..<12).map { j in TaskPair(i, j, similar: cluster[i] == cluster[j]) } }
    return (12, pairs, cluster)
  }

  @Test func oneShotRetrievalIsOneForAPerfectMetricAndOneOverNForAConstant() throws {
    let (n, pairs, cluster) = clusteredPairs()
    let perfect = (0..<n).map { i in (0..<n).map { j in cluster[i] == cluster[j] ? 0.9 : 0.1 } }
    var rng = RandomStream(seed: 1)
    let r = try oneShotRetrievalAccuracy(similarity: perfect, pairs: pairs, ways: 5, trials: 200, using: &rng)
    #expect(r.accuracy == 1 && r.trials == 200 && r.eligibleQueries == 12)
    let constant = [[Double]](repeating: [Double](repeating: 0.5, count: n), count: n)
    let c = try oneShotRetrievalAccuracy(similarity: constant, pairs: pairs, ways: 5, trials: 200, using: &rng)
    #expect(isClose(c.accuracy, 1.0 / 5, rtol: 1e-12, atol: 0))
    // Twin: an inverted metric never retrieves the similar task.
    let inverted = perfect.map { $0.map { 1 - $0 } }
    #expect(try oneShotRetrievalAccuracy(similarity: inverted, pairs: pairs, ways: 3, trials: 50, using: &rng).accuracy == 0)
    // Too many ways: no query has 12 dissimilar partners, so no trial runs.
    let none = try oneShotRetrievalAccuracy(similarity: perfect, pairs: pairs, ways: 10, trials: 50, using: &rng)
    #expect(none.trials == 0 && none.eligibleQueries == 0 && none.accuracy.isNaN)
  }

  @Test func oneShotRetrievalRejectsBadInput() {
    let (n, pairs, _) = clusteredPairs()
    let m = [[Double]](repeating: [Double](repeating: 0.5, count: n), count: n)
    var rng = RandomStream(seed: 1)
    expectRLError(.invalidArgument, containing: "ways must be at least 2") {
      try oneShotRetrievalAccuracy(similarity: m, pairs: pairs, ways: 1, trials: 1, using: &rng)
    }
    expectRLError(.shapeMismatch, containing: "not square") {
      try oneShotRetrievalAccuracy(similarity: Array(m.dropLast()), pairs: [], ways: 2, trials: 1, using: &rng)
    }
    expectRLError(.outOfRange, containing: "pair 0 is (0, 12)") {
      try oneShotRetrievalAccuracy(similarity: m, pairs: [TaskPair(0, 12, similar: true)], ways: 2, trials: 1, using: &rng)
    }
  }

  // MARK: Persistence

  @Test(arguments: SiameseConfiguration.Encoder.allCases)
  func saveAndLoadGiveIdenticalSimilarities(_ encoder: SiameseConfiguration.Encoder) throws {
    var f = try SiameseNetwork(configuration: smallConfiguration(encoder))
    let g = goals(8, stream: 4)
    let tasks = encoder == .features ? g.map { TaskDescription.features($0) }
      : g.enumerated().map { transitions(goal: $0.element, count: 10, seed: UInt64($0.offset)) }
    _ = try f.train(tasks: tasks, pairs: pairsByDistance(g, radius: 0.5), steps: 3)
    let path = temporaryPath("siamese-\(encoder).safetensors")
    defer { unlink(path) }
    try f.save(to: path, metadata: ["note": "test"])
    let back = try SiameseNetwork.load(from: path)
    #expect(back.configuration == f.configuration)
    #expect(back.trainingSteps == 3)
    #expect(back.parameters.names == f.parameters.names)
    #expect(try back.similarityMatrix(tasks) == (try f.similarityMatrix(tasks)))
    #expect(try Safetensors.load(from: path).metadata["note"] == "test")
    expectRLError(.invalidArgument, containing: "\"format\" is reserved") { try f.save(to: path, metadata: ["format": "x"]) }
  }

  @Test func loadingABadFileThrows() throws {
    let f = try SiameseNetwork(configuration: smallConfiguration())
    let path = temporaryPath("siamese-bad.safetensors")
    defer { unlink(path) }
    try f.save(to: path)
    let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
    // Truncated.
    try Data(bytes.prefix(bytes.count - 5)).write(to: URL(fileURLWithPath: path))
    expectRLError(.invalidArgument, containing: "loadSafetensors") { try SiameseNetwork.load(from: path) }
    // Garbage.
    try Data([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).write(to: URL(fileURLWithPath: path))
    expectRLError(.invalidArgument, containing: "loadSafetensors") { try SiameseNetwork.load(from: path) }
    // A parameter file that is not a Siamese network.
    try Safetensors.save(f.parameters, to: path)
    expectRLError(.invalidArgument, containing: "not a Siamese network file") { try SiameseNetwork.load(from: path) }
    // Shapes that do not match the recorded configuration.
    var other = f.configuration
    other.hidden = [9]
    let json = String(decoding: try JSONEncoder().encode(other), as: UTF8.self)
    let metadata = ["format": "hmaml-siamese-network", "version": "1", "configuration": json, "training_steps": "0"]
    try Safetensors.save(f.parameters, to: path, metadata: metadata)
    expectRLError(.shapeMismatch, containing: "expected [2, 9]") { try SiameseNetwork.load(from: path) }
    // An invalid configuration.
    var invalid = metadata
    invalid["configuration"] = #"{"input_size": 2, "batch_size": 1}"#
    try Safetensors.save(f.parameters, to: path, metadata: invalid)
    expectRLError(.invalidArgument, containing: "batch size must be in 2") { try SiameseNetwork.load(from: path) }
    invalid["configuration"] = "{"
    try Safetensors.save(f.parameters, to: path, metadata: invalid)
    expectRLError(.invalidArgument, containing: "configuration is missing or invalid") { try SiameseNetwork.load(from: path) }
    expectRLError(.invalidArgument, containing: "cannot open") { try SiameseNetwork.load(from: path + ".missing") }
  }

  @Test func configurationRoundTripsThroughJSON() throws {
    var c = smallConfiguration(.transitions, dtype: .float64)
    c.activation = .relu
    let back = try JSONDecoder().decode(SiameseConfiguration.self, from: try JSONEncoder().encode(c))
    #expect(back == c)
    let defaults = try JSONDecoder().decode(SiameseConfiguration.self, from: Data(#"{"input_size": 3}"#.utf8))
    #expect(defaults == SiameseConfiguration(inputSize: 3))
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(SiameseConfiguration.self, from: Data(#"{"input_size": 3, "dtype": "int8"}"#.utf8))
    }
  }

  // MARK: Task descriptions and bad input

  @Test func transitionsOfTrajectoriesSkipAnUnknownLastNextState() throws {
    let t = Trajectory(observations: [0, 1, 2], actions: [10, 11, 12], rewards: [-1, -2, -3], logProbs: [0, 0, 0],
                       observationSize: 1, actionSize: 1, terminated: false, taskIndex: 0, features: [])
    #expect(try TaskDescription(transitionsOf: [t]) == .transitions([0, 10, -1, 1, 1, 11, -2, 2], transitionSize: 4))
    let known = Trajectory(observations: [0], actions: [10], rewards: [-1], logProbs: [0], observationSize: 1,
                           actionSize: 1, terminated: true, taskIndex: 0, features: [], finalObservation: [5])
    #expect(try TaskDescription(transitionsOf: [t, known])
            == .transitions([0, 10, -1, 1, 1, 11, -2, 2, 0, 10, -1, 5], transitionSize: 4))
    #expect(TaskDescription.transitionSize(observationSize: 2, actionSize: 2) == 7)
    let wide = Trajectory(observations: [0, 0], actions: [1], rewards: [0], logProbs: [0], observationSize: 2,
                          actionSize: 1, terminated: true, taskIndex: 0, features: [])
    expectRLError(.shapeMismatch, containing: "trajectory 1 has observation and action sizes 2, 1") {
      try TaskDescription(transitionsOf: [t, wide])
    }
    expectRLError(.invalidArgument, containing: "no complete transition") { try TaskDescription(transitionsOf: [wide]) }
    expectRLError(.invalidArgument, containing: "no trajectories") { try TaskDescription(transitionsOf: []) }
  }

  @Test func badInputThrowsClearErrors() throws {
    var f = try SiameseNetwork(configuration: smallConfiguration())
    let tasks: [TaskDescription] = [.features([0, 0]), .features([1, 1])]
    let pairs = [TaskPair(0, 1, similar: true), TaskPair(0, 0, similar: false)]
    expectRLError(.shapeMismatch, containing: "task 1 has 3 features, expected 2") {
      try f.embeddings([.features([0, 0]), .features([1, 2, 3])])
    }
    expectRLError(.invalidArgument, containing: "the task list is empty") { try f.similarityMatrix([]) }
    expectRLError(.invalidArgument, containing: "task 0 has non-finite numbers") { try f.similarity(.features([.nan, 0]), tasks[1]) }
    expectRLError(.invalidArgument, containing: "network encodes features") {
      try f.embeddings([.transitions([1, 2], transitionSize: 2)])
    }
    expectRLError(.outOfRange, containing: "pair 1 is (0, 2) but there are 2 tasks") {
      try f.similarities(tasks, pairs: [TaskPair(0, 1, similar: true), TaskPair(0, 2, similar: true)])
    }
    expectRLError(.outOfRange, containing: "pair 0 is (-1, 1)") {
      try f.train(tasks: tasks, pairs: [TaskPair(-1, 1, similar: true)], steps: 1)
    }
    expectRLError(.invalidArgument, containing: "got 1 similar and 0 dissimilar") {
      try f.train(tasks: tasks, pairs: [TaskPair(0, 1, similar: true)], steps: 1)
    }
    expectRLError(.invalidArgument, containing: "steps must be at least 1") { try f.train(tasks: tasks, pairs: pairs, steps: 0) }
    #expect(f.trainingSteps == 0, "failed calls take no step")
    var c = smallConfiguration()
    c.batchSize = 1
    expectRLError(.invalidArgument, containing: "batch size must be in 2") { try SiameseNetwork(configuration: c) }
    c = smallConfiguration(.transitions)
    c.setHidden = []
    expectRLError(.invalidArgument, containing: "set hidden sizes") { try SiameseNetwork(configuration: c) }
    c = smallConfiguration()
    c.learningRate = .infinity
    expectRLError(.invalidArgument, containing: "learning rate") { try SiameseNetwork(configuration: c) }
    c.learningRate = 1e-3
    c.inputSize = 0
    expectRLError(.invalidArgument, containing: "input size") { try SiameseNetwork(configuration: c) }
    let g = try SiameseNetwork(configuration: smallConfiguration(.transitions))
    expectRLError(.shapeMismatch, containing: "not a positive multiple of the transition size 7") {
      try g.embeddings([.transitions([1, 2, 3], transitionSize: 7)])
    }
    expectRLError(.shapeMismatch, containing: "transitions of size 3, expected 7") {
      try g.embeddings([.transitions([1, 2, 3], transitionSize: 3)])
    }
    expectRLError(.invalidArgument, containing: "network encodes transitions") { try g.embeddings([.features([1, 2])]) }
  }
}
