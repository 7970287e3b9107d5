import Foundation
import Testing
import HMRuntime
import HMTensor

/// The learners in hm: results, logs, checkpoints, Ctrl-C.
struct LearnerBindingTests {
  @Test func trpoExpertOnASmallMazeApproachesTheOptimum() throws {
    let hm = Interpreter(output: { _ in })
    let v = try hm.evaluate("""
      let m = maze(\"\"\"
        ######
        #S..G#
        ######
        \"\"\", horizon: 8, reward: "minigrid")
      let pi = softmax_policy(m)
      let r = trpo(pi, m, pi.init(), iterations: 30, episodes: 16, max_kl: 0.05, quiet: true)
      [policy_evaluation(m, pi.table(r.params, m)).expected_return, value_iteration(m).expected_return, len(r.log), r.config.seed]
      """)
    guard case .list(let xs) = v, let got = xs[0].double, let best = xs[1].double else { Issue.record("\(v)"); return }
    #expect(got >= 0.95 * best, "TRPO expert \(got) vs optimum \(best)")
    #expect(xs[2] == .int(30) && xs[3] == .int(0))
  }

  @Test func logAndCheckpointAreWritten() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hm-learn-\(getpid())").path
    let hm = Interpreter(output: { _ in })
    let v = try hm.evaluate("""
      let pi = gaussian_mlp(2, 2, hidden: [8])
      let r = vpg(pi, navigation2d(goal: [0.2, 0.1]), pi.init(), iterations: 3, episodes: 4, log: "\(dir)/log.jsonl",
                  checkpoint: "\(dir)/theta.safetensors", checkpoint_every: 2, quiet: true)
      [len(read_text("\(dir)/log.jsonl").lines()), load_params("\(dir)/theta.safetensors").keys() == r.params.keys(), r.interrupted]
      """)
    #expect(v == .list([.int(3), .bool(true), .bool(false)]))
  }

  @Test func aCheckpointResumesTheRunExactly() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hm-resume-\(getpid())").path
    let hm = Interpreter(output: { _ in })
    let v = try hm.evaluate("""
      let pi = gaussian_mlp(2, 2, hidden: [8])
      let tasks = navigation2d_tasks(4, seed: 2)
      let straight = maml(pi, tasks, pi.init(seed: 1), meta_batch: 2, episodes: 4, outer: "adam", outer_lr: 0.01, iterations: 4, seed: 5, quiet: true)
      let first = maml(pi, tasks, pi.init(seed: 1), meta_batch: 2, episodes: 4, outer: "adam", outer_lr: 0.01, iterations: 2, seed: 5,
                       checkpoint: "\(dir)/maml.safetensors", quiet: true)
      let rest = maml(pi, tasks, pi.init(seed: 1), meta_batch: 2, episodes: 4, outer: "adam", outer_lr: 0.01, iterations: 4, seed: 5,
                      resume: "\(dir)/maml.safetensors", quiet: true)
      [rest.params == straight.params, first.params != straight.params, len(rest.log), rest.log[0].iteration,
       load_params("\(dir)/maml.safetensors").keys() == straight.params.keys()]
      """)
    #expect(v == .list([.bool(true), .bool(true), .int(2), .int(2), .bool(true)]))
    // Another seed or another learner cannot resume it.
    for (code, fragment) in [
      ("maml(pi, tasks, pi.init(seed: 1), meta_batch: 2, episodes: 4, outer: \"adam\", iterations: 4, seed: 6, resume: \"\(dir)/maml.safetensors\", quiet: true)", "written with seed 5"),
      ("vpg(pi, tasks[0], pi.init(seed: 1), iterations: 4, seed: 5, resume: \"\(dir)/maml.safetensors\", quiet: true)", "a checkpoint of maml"),
      ("vpg(pi, tasks[0], pi.init(seed: 1), iterations: 4, seed: 5, resume: \"\(dir)/missing.safetensors\", quiet: true)", "missing"),
    ] {
      do {
        _ = try hm.evaluate(code)
        Issue.record("\(code) should fail")
      } catch {
        #expect(error.rendered().contains(fragment), "\(error.rendered())")
      }
    }
  }

  @Test func sameSeedSameCurveWithOneAndTwoThreads() throws {
    let code = """
      let pi = gaussian_mlp(2, 2, hidden: [16, 16])
      let r = maml(pi, "navigation2d", pi.init(seed: 3), meta_batch: 4, episodes: 4, outer: "adam", iterations: 3, seed: 11, quiet: true)
      map(r.log, fn(x) => [x.pre_return, x.post_return, x.loss])
      """
    let one = try Parallelism.$threadCount.withValue(1) { try Interpreter(output: { _ in }).evaluate(code) }
    let two = try Parallelism.$threadCount.withValue(2) { try Interpreter(output: { _ in }).evaluate(code) }
    #expect(one == two)
  }

  @Test func ctrlCReturnsWhatWasLearnedSoFar() throws {
    let ctrlC = SimulatedCtrlC()
    let hm = ctrlC.interpreter
    ctrlC.press(after: 300_000)
    let v = try hm.evaluate("""
      let pi = gaussian_mlp(2, 2, hidden: [8])
      let r = vpg(pi, navigation2d(goal: [0.2, 0.1]), pi.init(), iterations: 100000, episodes: 4, quiet: true)
      [r.interrupted, len(r.log) > 0, len(r.log) < 100000]
      """)
    #expect(v == .list([.bool(true), .bool(true), .bool(true)]))
  }
}
