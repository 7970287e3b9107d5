import Foundation
import Testing
import HMRuntime
import HMTestSupport

/// The hindsight bindings in hm (`siamese`, `hindsight`, `task_divergences`, `guided_train`): the
/// records they return, their files (log, checkpoints, saved nets), runs extending what they are
/// given, reproducibility, Ctrl-C, and clear errors for bad input. The errors a script can write
/// by itself are language tests in Language/hindsight/; here are those needing files or threads.
struct HindsightBindingTests {
  /// Five goal tasks on a 2×3 room, a small categorical policy and θ.
  static let maze = """
    let m = maze("#####\\n#S..#\\n#...#\\n#####", horizon: 8)
    let tasks = goal_tasks(m)
    let pi = categorical_mlp(tasks[0], hidden: [8])
    let theta = pi.init(seed: 1)

    """

  /// `maze` and two iterations of Algorithm 1 filling R and training f_φ.
  static let hindsightRun = maze + """
    let h = hindsight(pi, tasks, theta, iterations: 2, episodes: 4, siamese_steps: 10, quiet: true, seed: 5)

    """

  static func temporaryDirectory(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hm-hindsight-\(name)-\(getpid())").path
    try? FileManager.default.removeItem(atPath: dir)
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  /// Runs `code`, whose value is a record of named checks, and expects each to be true.
  func expectChecks(_ code: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let v = try Interpreter(output: { _ in }).evaluate(code)
    guard case .record(let fields, let order) = v else { Issue.record("not a record: \(v)", sourceLocation: sourceLocation); return }
    for name in order { #expect(fields[name] == .bool(true), "\(name)", sourceLocation: sourceLocation) }
  }

  /// The first diagnostic of `code` (nil when it runs).
  func diagnostic(_ code: String) -> Diagnostic? {
    do { try Interpreter(output: { _ in }).evaluate(code, name: "test.hm"); return nil } catch { return error.items.first }
  }

  /// Expects `code` to fail at `line`:`column` with a runtime error mentioning `message`.
  func expectError(_ code: String, _ message: String, at line: Int, _ column: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let d = diagnostic(code) else { Issue.record("no error, expected '\(message)'", sourceLocation: sourceLocation); return }
    #expect(d.kind == .runtime && d.message.contains(message), "\(d.message)", sourceLocation: sourceLocation)
    #expect(d.position?.line == line && d.position?.column == column, "at \(String(describing: d.position))", sourceLocation: sourceLocation)
    #expect(d.rendered().hasPrefix("test.hm:\(line):\(column): runtime error:"), sourceLocation: sourceLocation)
  }

  // MARK: siamese

  @Test func siameseSaveAndLoadGiveTheSameNet() throws {
    let dir = Self.temporaryDirectory("save")
    try expectChecks("""
      let f = siamese(2, hidden: [8], embedding: 4, seed: 3)
      let goals = [[0.1, 0.1], [0.15, 0.1], [0.9, 0.8], [0.85, 0.9]]
      f.train(goals, [[0, 1, true], [2, 3, true], [0, 2, false], [1, 3, false]], steps: 20)
      f.save("\(dir)/f.safetensors")
      let g = load_siamese("\(dir)/f.safetensors")
      {matrix: g.matrix(goals) == f.matrix(goals), config: g.config == f.config, trained: str(g) == str(f),
       untrained_differs: siamese(2, hidden: [8], embedding: 4, seed: 3).matrix(goals) != f.matrix(goals)}
      """)
  }

  @Test func corruptedSiameseFilesAreClearErrors() throws {
    let dir = Self.temporaryDirectory("corrupt")
    let hm = Interpreter(output: { _ in })
    try hm.evaluate("""
      siamese(2, hidden: [4], embedding: 2).save("\(dir)/f.safetensors")
      let pi = gaussian_mlp(2, 2, hidden: [4])
      save_params("\(dir)/policy.safetensors", pi.init())
      """)
    let good = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/f.safetensors"))
    try good.prefix(100).write(to: URL(fileURLWithPath: "\(dir)/truncated.safetensors"))
    let text = String(decoding: good, as: UTF8.self)
    func tampered(_ old: String, _ new: String) -> Data {
      let header = good.prefix(8 + Int(good.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
      let s = String(decoding: header, as: UTF8.self)
      #expect(s.contains(old), "the header holds \(old)")
      return header.prefix(8) + Data(s.dropFirst(8).replacingOccurrences(of: old, with: new).utf8) + good.dropFirst(header.count)
    }
    #expect(text.contains("hmaml-siamese-network"))
    try tampered(#"\"hidden\":[4]"#, #"\"hidden\":[5]"#).write(to: URL(fileURLWithPath: "\(dir)/shape.safetensors"))
    try tampered("hmaml-siamese-network", "hmaml-siamese-networx").write(to: URL(fileURLWithPath: "\(dir)/format.safetensors"))
    let cases = [("truncated", "runs past the end"), ("shape", "has shape [2, 4], expected [2, 5]"),
                 ("format", "not a Siamese network file"), ("policy", "not a Siamese network file"),
                 ("missing", "cannot open")]
    for (name, message) in cases {
      expectError("let x = 1\nlet f = load_siamese(\"\(dir)/\(name).safetensors\")", message, at: 2, 9)
    }
  }

  @Test func siameseErrorsNameTheProblem() {
    let prelude = "let f = siamese(2, hidden: [4], embedding: 2)\nlet goals = [[0.1, 0.1], [0.15, 0.1], [0.9, 0.8], [0.85, 0.9]]\n"
    expectError(prelude + "f.similarity([0.1], [0.2])", "task 0 has 1 features, expected 2", at: 3, 1)
    expectError(prelude + "f.matrix([[0.1, 0.2], [0.3]])", "task 1 has 1 features, expected 2", at: 3, 1)
    expectError(prelude + "f.evaluate(goals, [[0, 9, true]])", "pair 0 is (0, 9) but there are 4 tasks", at: 3, 1)
    expectError(prelude + "f.one_shot(goals, [[-1, 0, true]])", "pair 0 is (-1, 0) but there are 4 tasks", at: 3, 1)
    expectError(prelude + "f.train(goals, [[0, 1, false], [2, 3, false]])", "got 0 similar and 2 dissimilar", at: 3, 1)
    expectError(prelude + "f.train(goals, [[0, 1]])", "a pair is {first, second, similar} or [i, j, similar]", at: 3, 1)
    expectError(prelude + "f.similarity([0.1, nan], [0.2, 0.3])", "non-finite", at: 3, 1)
    expectError(prelude + "f.similarity(sample(navigation2d(goal: [0.1, 0.1]), gaussian_mlp(2, 2, hidden: [4]), gaussian_mlp(2, 2, hidden: [4]).init(), episodes: 1), goals[0])",
                "described by transitions but the network encodes features", at: 3, 1)
    expectError("siamese(2, activation: \"gelu\")", "activation must be \"tanh\" or \"relu\"", at: 1, 1)
    expectError("siamese(0)", "input size must be in", at: 1, 1)
  }

  // MARK: hindsight

  @Test func hindsightReturnsItsWholeRecord() throws {
    try expectChecks(Self.hindsightRun + """
      fn square(M, n) { len(M) == n and len(filter(M, fn(row) => len(row) == n)) == n }
      let log_keys = ["iteration", "buffer_size", "inserted", "tasks_inserted", "pre_return", "post_return", "epsilon", "positive_rate",
                      "siamese_loss", "training", "held_out", "one_shot", "sampling_seconds", "adaptation_seconds", "divergence_seconds",
                      "siamese_seconds", "seconds"]
      let config_keys = ["iterations", "inner_learning_rate", "episodes", "delta", "rule", "epsilon_quantile", "siamese_steps", "held_out_fraction",
                         "one_shot_ways", "states_per_task", "sampled_states", "discount", "gae_lambda", "normalize_advantages", "seed"]
      let D = h.divergences
      {keys: h.keys() == ["buffer", "siamese", "log", "divergences", "pairs", "held_out", "adapted", "experience", "siamese_accuracy",
                          "siamese_auc", "buffer_size", "config", "interrupted"],
       log: len(h.log) == 2 and h.log[0].keys() == log_keys and h.log[1].iteration == 1,
       log_training: h.log[0].training.keys() == ["count", "accuracy", "auc", "loss", "positive_rate"],
       buffer: h.buffer.size == h.log[1].buffer_size and h.buffer_size == [h.log[0].buffer_size, h.log[1].buffer_size],
       divergences: square(D, 5) and D[0][0] == 0 and D[1][3] == D[3][1],
       pairs: len(h.pairs) == 10 and h.pairs[0].keys() == ["first", "second", "similar"],
       held_out: len(h.held_out) == 2,
       adapted: len(h.adapted) == 5 and h.adapted[0].keys() == theta.keys(),
       experience: len(h.experience) == 5 and h.experience[4].episodes == 4,
       curves: len(h.siamese_accuracy) == 2 and len(h.siamese_auc) == 2,
       siamese: str(h.siamese).contains(str(10 * len(filter(h.log, fn(r) => r.siamese_loss != nil))) + " steps trained"),
       config: (sorted(h.config.keys()) == sorted(config_keys) and h.config.seed == 5 and h.config.iterations == 2
               and h.config.episodes == 4 and h.config.siamese_steps == 10 and h.config.rule == "policy_divergence"),
       not_interrupted: h.interrupted == false}
      """)
  }

  @Test func hindsightRecordsEveryHyperparameterItIsGiven() throws {
    try expectChecks(Self.maze + """
      let h = hindsight(pi, tasks, theta, inner_lr: 0.2, episodes: 3, delta: -0.5, rule: "sampled_states", epsilon: 0.25,
                        siamese_steps: 4, held_out: 0, one_shot_ways: 3, states_per_task: 16, sampled_states: 8, gamma: 0.9, lambda: 0.95,
                        iterations: 1, seed: 9, quiet: true)
      let c = h.config
      {values: ([c.inner_learning_rate, c.episodes, c.delta, c.rule, c.epsilon, c.siamese_steps, c.held_out_fraction, c.one_shot_ways,
                c.states_per_task, c.sampled_states, c.discount, c.gae_lambda, c.iterations, c.seed]
               == [0.2, 3, -0.5, "sampled_states", 0.25, 4, 0, 3, 16, 8, 0.9, 0.95, 1, 9]),
       fixed_epsilon: h.log[0].epsilon == 0.25,
       nothing_held_out: h.held_out == [] and h.log[0].held_out == nil}
      """)
  }

  @Test func hindsightWritesOneLogLinePerIterationAndLoadableCheckpoints() throws {
    let dir = Self.temporaryDirectory("log")
    // The held-out pairs of so few tasks often lack a label: their AUC is NaN, which JSON
    // cannot hold. The log must still get every line (it once silently lost them).
    try expectChecks(Self.maze + """
      let h = hindsight(pi, tasks, theta, iterations: 3, episodes: 4, siamese_steps: 10, quiet: true, seed: 5,
                        log: "\(dir)/h.jsonl", checkpoint: "\(dir)/ck", checkpoint_every: 2)
      let lines = read_text("\(dir)/h.jsonl").lines()
      let records = map(lines, fn(l) => json.parse(l))
      let saved = load_buffer("\(dir)/ck.buffer.json")
      let f = load_siamese("\(dir)/ck.siamese.safetensors")
      {has_nan_auc: is_nan(h.log[0].held_out.auc),
       lines: len(lines) == 3 and map(records, fn(r) => r.iteration) == [0, 1, 2],
       nan_as_string: records[0].heldOut.auc == "nan",
       fields: records[2].bufferSize == h.log[2].buffer_size,
       buffer: saved.size == h.buffer.size and saved.stats() == h.buffer.stats(),
       siamese: f.matrix(tasks) == h.siamese.matrix(tasks) and f.config == h.siamese.config}
      """)
  }

  @Test func hindsightExtendsTheBufferAndTrainsTheNetItIsGiven() throws {
    try expectChecks(Self.maze + """
      let R = buffer(capacity: 1000, eviction: "oldest")
      R.insert(sample(tasks[0], pi, theta, episodes: 4), delta: 1)
      let before = R.size
      let f = siamese(2, hidden: [8], embedding: 4, seed: 2)
      let untrained = f.matrix(tasks)
      let h = hindsight(pi, tasks, theta, buffer: R, siamese: f, iterations: 2, episodes: 4, siamese_steps: 10, quiet: true)
      {buffer_extended: R.size == before + h.log[0].inserted + h.log[1].inserted and h.log[1].inserted > 0,
       same_buffer: str(h.buffer) == str(R) and str(R).contains("eviction oldest"),
       net_trained: (str(f).contains(str(10 * len(filter(h.log, fn(r) => r.siamese_loss != nil))) + " steps trained")
                    and f.matrix(tasks) != untrained),
       same_net: f.matrix(tasks) == h.siamese.matrix(tasks) and f.config.embedding_size == 4}
      """)
  }

  @Test func hindsightWithTheSameSeedRepeatsItself() throws {
    let run = Self.maze + """
      let h = hindsight(pi, tasks, theta, iterations: 2, episodes: 4, siamese_steps: 10, quiet: true, seed: 7)
      [map(h.log, fn(r) => [r.buffer_size, r.inserted, r.pre_return, r.post_return, r.epsilon, r.siamese_loss]),
       h.divergences, h.pairs, h.held_out, h.siamese.matrix(tasks), h.buffer.stats()]
      """
    let first = try Interpreter(output: { _ in }).evaluate(run)
    #expect(try Interpreter(output: { _ in }).evaluate(run) == first)
    #expect(try Interpreter(output: { _ in }).evaluate(run.replacingOccurrences(of: "seed: 7", with: "seed: 8")) != first)
  }

  @Test func ctrlCStopsHindsightWithWhatWasDone() throws {
    let ctrlC = SimulatedCtrlC()
    let hm = ctrlC.interpreter
    ctrlC.press(after: 300_000)
    let v = try hm.evaluate(Self.maze + """
      let R = buffer()
      let h = hindsight(pi, tasks, theta, buffer: R, iterations: 100000, episodes: 4, siamese_steps: 2, quiet: true)
      [h.interrupted, len(h.log) > 0, len(h.log) < 100000, R.size == h.log[len(h.log) - 1].buffer_size,
       len(h.siamese_auc) == len(h.log), h.config.iterations]
      """)
    #expect(v == .list([.bool(true), .bool(true), .bool(true), .bool(true), .bool(true), .int(100000)]))
  }

  @Test func hindsightRunsANavigationFamilyWithAGaussianPolicy() throws {
    try expectChecks("""
      let pi = gaussian_mlp(2, 2, hidden: [8])
      let tasks = map([[0.1, 0.1], [0.2, 0.1], [-0.3, 0.3], [-0.3, -0.4]], fn(g) => navigation2d(goal: g))
      let h = hindsight(pi, tasks, pi.init(seed: 2), iterations: 2, episodes: 4, delta: 1000, siamese_steps: 5, held_out: 0, quiet: true)
      let D = h.divergences
      {all_inserted: h.buffer.size == 2 * 4 * 4,
       divergences: len(D) == 4 and D[2][2] == 0 and D[0][3] == D[3][0] and D[0][1] > 0,
       net_over_goals: h.siamese.config.input_size == 2,
       training_curve: len(h.siamese_auc) == 2 and h.log[0].training.count == 6}
      """)
  }

  @Test func hindsightErrorsNameTheProblem() {
    let call = "hindsight(pi, tasks, theta, iterations: 1, episodes: 2, quiet: true"
    expectError(Self.maze + "let h = hindsight(pi, [navigation2d(goal: [0.1, 0.1]), tasks[0]], theta, iterations: 1, quiet: true)",
                "hindsight: tasks must all be of one kind", at: 5, 9)
    expectError(Self.maze + "\(call), siamese: siamese(3))", "task 0 has 2 features, the Siamese net takes 3", at: 5, 1)
    expectError(Self.maze + "hindsight(pi, [tasks[0]], theta, quiet: true)", "at least two tasks, got 1", at: 5, 1)
    expectError(Self.maze + "\(call), rule: \"kl\")", "rule must be \"policy_divergence\" or \"sampled_states\"", at: 5, 1)
    expectError(Self.maze + "\(call), held_out: 1)", "held_out must be in [0, 1)", at: 5, 1)
  }

  // MARK: task_divergences

  @Test func taskDivergencesAreSymmetricWithAZeroDiagonal() throws {
    try expectChecks("""
      let pi = gaussian_mlp(2, 2, hidden: [8])
      let thetas = [pi.init(seed: 1), pi.init(seed: 2), pi.init(seed: 3)]
      let T = navigation2d(goal: [0.3, 0.3])
      let batches = map(thetas, fn(t) => sample(T, pi, t, episodes: 2))
      fn symmetric(D) {
        var ok = true
        for i in 0..len(D) { for j in 0..len(D) { ok = ok and D[i][j] == D[j][i] and (i == j) == (D[i][j] == 0) } }
        ok
      }
      let P = task_divergences(pi, thetas, batches)
      let K = task_divergences(pi, thetas, batches, rule: "sampled_states", sampled_states: 16, seed: 4)
      {policy_divergence: len(P) == 3 and symmetric(P),
       sampled_states: len(K) == 3 and symmetric(K),
       seeded: task_divergences(pi, thetas, batches, rule: "sampled_states", sampled_states: 16, seed: 4) == K,
       same_policy_zero: task_divergences(pi, [thetas[0], thetas[0]], [batches[0], batches[0]]) == [[0.0, 0.0], [0.0, 0.0]]}
      """)
  }

  // MARK: guided_train

  @Test func guidedModeNoneIsVPG() throws {
    try expectChecks(Self.hindsightRun + """
      let none = guided_train(pi, tasks[2], theta, mode: "none", lr: 0.05, episodes: 4, iterations: 3, seed: 4, quiet: true)
      let with_buffer = guided_train(pi, tasks[2], theta, buffer: h.buffer, mode: "none", lr: 0.05, episodes: 4, iterations: 3, seed: 4, quiet: true)
      let v = vpg(pi, tasks[2], theta, lr: 0.05, episodes: 4, iterations: 3, seed: 4, quiet: true)
      {same_params: none.params == v.params and with_buffer.params == v.params,
       same_returns: map(none.log, fn(r) => r["return"]) == map(v.log, fn(r) => r["return"]),
       no_pool: none.pool == 0 and with_buffer.pool == 0,
       no_weights: none.log[0].buffer_trajectories == 0 and none.log[0].ess == nil and none.log[0].mean_weight == nil}
      """)
  }

  @Test func guidedModesPickTheirPools() throws {
    try expectChecks(Self.hindsightRun + """
      let size = h.buffer.size
      let per_task = h.buffer.stats().per_task
      let unfiltered = guided_train(pi, tasks[2], theta, buffer: h.buffer, mode: "unfiltered", k: 3, episodes: 4, iterations: 2, quiet: true)
      let top = guided_train(pi, tasks[2], theta, buffer: h.buffer, siamese: h.siamese, top_k: 5, k: 3, episodes: 4, iterations: 2, quiet: true)
      let all = guided_train(pi, tasks[2], theta, buffer: h.buffer, siamese: h.siamese, threshold: 0, k: 3, episodes: 4, iterations: 2, quiet: true)
      let none_pass = guided_train(pi, tasks[2], theta, buffer: h.buffer, siamese: h.siamese, threshold: 2, k: 3, episodes: 4, iterations: 2, quiet: true)
      let oracle = guided_train(pi, tasks[2], theta, buffer: h.buffer, mode: "oracle", scores: [0, 0, 1, 0, 0], threshold: 0.5, k: 3,
                                episodes: 4, iterations: 2, quiet: true)
      let log = unfiltered.log[0]
      {log_keys: log.keys() == ["iteration", "return", "successes", "episodes", "buffer_trajectories", "ess", "mean_weight", "buffer_return", "loss", "grad_norm", "seconds"],
       unfiltered: (unfiltered.pool == size and log.buffer_trajectories == 3 and log.ess > 0 and log.mean_weight > 0
                   and log.buffer_return >= 0 and none_pass.log[0].buffer_return == nil
                   and unfiltered.log[1].episodes == 8),
       siamese_top_k: top.pool == 5 and top.log[0].buffer_trajectories == 3,
       siamese_threshold: all.pool == size,
       nothing_passes: none_pass.pool == 0 and none_pass.log[0].buffer_trajectories == 0 and none_pass.log[0].ess == nil,
       oracle: oracle.pool == per_task.get(2, default: 0) and oracle.config.mode == "oracle",
       config: top.config.mode == "siamese" and top.config.buffer_trajectories == 3}
      """)
  }

  @Test func guidedRelabellingAndSuccessesShowInTheResult() throws {
    try expectChecks(Self.hindsightRun + """
      fn run(relabel, success) {
        guided_train(pi, tasks[2], theta, buffer: h.buffer, mode: "unfiltered", relabel: relabel, success_return: success, k: 4,
                     episodes: 4, iterations: 3, seed: 3, quiet: true)
      }
      let relabelled = run(true, nil)
      let raw = run(false, nil)
      let never = run(true, 1000)
      let successes = relabelled.log[0].successes + relabelled.log[1].successes + relabelled.log[2].successes
      {relabel_matters: relabelled.params != raw.params and relabelled.config.relabel and raw.config.relabel == false,
       first_success: ((successes == 0 and relabelled.first_success == nil)
                      or (relabelled.first_success >= 1 and relabelled.first_success <= 12)),
       no_success: never.first_success == nil and never.log[0].successes == 0,
       episodes_counted: map(relabelled.log, fn(r) => r.episodes) == [4, 8, 12]}
      """)
  }

  @Test func guidedWeightingIsAnOption() throws {
    try expectChecks(Self.hindsightRun + """
      fn run(weighting) {
        guided_train(pi, tasks[2], theta, buffer: h.buffer, mode: "unfiltered", weighting: weighting, k: 3, episodes: 4,
                     iterations: 2, seed: 5, quiet: true)
      }
      let none = run("none")
      let step = run("per_step")
      let decision = run("per_decision")
      let unweighed = guided_train(pi, tasks[2], theta, buffer: h.buffer, mode: "unfiltered", weigh_advantages: false, k: 3,
                                   episodes: 4, iterations: 2, seed: 5, quiet: true)
      {none_weighs_one: none.log[0].mean_weight == 1 and none.config.weighting == "none",
       per_step_at_least_per_decision: step.log[0].mean_weight >= decision.log[0].mean_weight,
       recorded: decision.config.weighting == "per_decision" and decision.config.weigh_advantages and
                 unweighed.config.weigh_advantages == false,
       clipped: guided_train(pi, tasks[2], theta, buffer: h.buffer, mode: "unfiltered", max_grad_norm: 0.001, k: 3, episodes: 4,
                             iterations: 1, seed: 5, quiet: true).config.max_gradient_norm == 0.001,
       grad_norm: decision.log[0].grad_norm > 0}
      """)
  }

  @Test func guidedConfigurationKeepsAnInfiniteTruncation() throws {
    // ρ̄ = inf (no truncation) is not JSON: the configuration was once dropped to nil.
    try expectChecks(Self.hindsightRun + """
      let g = guided_train(pi, tasks[2], theta, buffer: h.buffer, mode: "unfiltered", rho_bar: inf, c_bar: 2, k: 2, episodes: 4,
                           iterations: 1, seed: 6, quiet: true)
      {rho_bar: g.config.rho_bar == inf, c_bar: g.config.c_bar == 2, seed: g.config.seed == 6, finite_loss: is_finite(g.log[0].loss)}
      """)
  }

  @Test func guidedWritesItsLogAndCheckpoint() throws {
    let dir = Self.temporaryDirectory("guided")
    try expectChecks(Self.hindsightRun + """
      let g = guided_train(pi, tasks[2], theta, mode: "none", episodes: 4, iterations: 3, quiet: true,
                           log: "\(dir)/g.jsonl", checkpoint: "\(dir)/theta.safetensors", checkpoint_every: 2)
      let lines = read_text("\(dir)/g.jsonl").lines()
      {lines: len(lines) == 3, first_line: json.parse(lines[0]).iteration == 0,
       checkpoint: load_params("\(dir)/theta.safetensors") == g.params}
      """)
  }

  @Test func guidedErrorsNameTheProblem() {
    let prelude = Self.maze + "let R = buffer()\nR.insert(sample(tasks[0], pi, theta, episodes: 4), top_quantile: 0)\n"
    let call = "guided_train(pi, tasks[1], theta, iterations: 1, episodes: 2, quiet: true"
    expectError(prelude + "\(call), buffer: R)", "mode \"siamese\" needs siamese: a trained net", at: 7, 1)
    expectError(prelude + "\(call), buffer: R, mode: \"oracle\")", "mode \"oracle\" needs scores", at: 7, 1)
    expectError(prelude + "\(call), mode: \"oracle\", scores: [1])", "mode \"oracle\" needs a buffer", at: 7, 1)
    expectError(prelude + "\(call), buffer: R, mode: \"oracle\", scores: [])", "a buffer entry has task index 0, scores has 0 entries", at: 7, 1)
    expectError(prelude + "\(call), buffer: R, mode: \"oracle\", scores: [\"near\"])", "scores must be numbers", at: 7, 1)
    expectError(prelude + "\(call), buffer: R, mode: \"best\")", "mode must be \"none\", \"unfiltered\", \"siamese\" or \"oracle\"", at: 7, 1)
    expectError(prelude + "\(call), buffer: R, siamese: siamese(3))", "has 2 features, expected 3", at: 7, 1)
  }
}
