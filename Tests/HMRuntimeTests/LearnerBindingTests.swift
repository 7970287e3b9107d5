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
    let hm = Interpreter(output: { _ in })
    let flag = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    flag.initialize(to: 0)
    hm.vm.interruptFlag = flag
    let watchdog = Thread { usleep(300_000); flag.pointee = 1 }
    watchdog.start()
    let v = try hm.evaluate("""
      let pi = gaussian_mlp(2, 2, hidden: [8])
      let r = vpg(pi, navigation2d(goal: [0.2, 0.1]), pi.init(), iterations: 100000, episodes: 4, quiet: true)
      [r.interrupted, len(r.log) > 0, len(r.log) < 100000]
      """)
    #expect(v == .list([.bool(true), .bool(true), .bool(true)]))
  }
}
