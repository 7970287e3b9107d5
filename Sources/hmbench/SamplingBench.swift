import ArgumentParser
import Foundation
import HMRL
import HMTensor

/// `hmbench sampling`: batched sampling throughput on 2D navigation with the 2→100→100→2 tanh
/// Gaussian policy, 20 tasks × 40 episodes × 100 steps (80 000 environment-and-policy steps,
/// the count of one meta-iteration of `../shared/bench/jax_maml_nav.py`), with 1 and with all
/// threads, side by side with that script's sampling-only timing when `--jax-python` is given.
///
/// NOTE: the JAX figure (`sampling_only_s_median`) covers two rollouts of 20 tasks × 20 episodes
/// plus baseline fits, GAE and a first-order inner step, jitted into one XLA computation; we
/// report our pure sampling and sampling + advantages (baseline, GAE, normalisation) for it.
struct SamplingBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sampling", abstract: "2D-navigation sampling throughput vs JAX.")

  @Option(help: "Timed repetitions.") var iters = 10
  @Option(help: "Warm-up repetitions.") var warmup = 2
  @Option(help: "Tasks per batch.") var tasks = 20
  @Option(help: "Episodes per task.") var episodes = 40
  @Option(help: "Python of the JAX venv for the peer; empty to skip.") var jaxPython = ""
  @Option(help: "Path of jax_maml_nav.py.") var jaxScript = "../shared/bench/jax_maml_nav.py"

  func run() throws {
    HeapTuning.keepFreedMemoryForReuse()
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [100, 100])
    var rng = RandomStream(seed: 0, stream: [0])
    let theta = try policy.initialParameters(using: &rng)
    let family = try Navigation2DFamily.canonical()
    let steps = Double(tasks * episodes * 100)
    print("sampling: 2D navigation, \(tasks) tasks × \(episodes) episodes × 100 steps, policy 2→100→100→2 tanh Gaussian, float32")
    var ours: [String: Double] = [:]
    for threads in Array(Set([1, Parallelism.defaultThreadCount])).sorted() {
      for withAdvantages in [false, true] {
        var times: [Double] = []
        var meanReturn = 0.0
        for i in 0..<(warmup + iters) {
          let envs = try family.tasks(count: tasks, seed: 0, iteration: i)
          let t0 = TensorBenchClock.now()
          let batches = try sampleBatches(envs, policy: policy, parameters: [theta], episodes: episodes,
                                          seed: 0, iteration: i, threads: threads)
          if withAdvantages {
            for b in batches { _ = try b.advantages() }
          }
          let dt = TensorBenchClock.now() - t0
          if i >= warmup { times.append(dt) }
          meanReturn = batches.map(\.meanReturn).reduce(0, +) / Double(batches.count)
        }
        let med = TensorBenchClock.median(times)
        let name = "\(withAdvantages ? "sampling+advantages" : "sampling"), \(threads) thread\(threads == 1 ? "" : "s")"
        ours[name] = med
        print(String(format: "%@: %.1f ms (median of %d), %.2f M steps/s, mean return %.1f",
                     name, med * 1e3, iters, steps / med / 1e6, meanReturn))
      }
    }
    guard !jaxPython.isEmpty else {
      print("jax peer: skipped (no --jax-python)")
      return
    }
    let out = try TensorBenchClock.run(jaxPython, [jaxScript, "--learn-iters", "0", "--timing-iters", "\(iters)"])
    guard let start = out.firstIndex(of: "{"), let end = out.lastIndex(of: "}"),
          let json = try JSONSerialization.jsonObject(with: Data(out[start...end].utf8)) as? [String: Any],
          let peer = json["sampling_only_s_median"] as? Double else {
      throw ValidationError("could not read sampling_only_s_median from the JAX script's output")
    }
    let peerSteps = Double((json["env_steps_per_meta_iteration"] as? Int) ?? 80_000)
    print(String(format: "jax (jit, sampling + advantages + inner step): %.1f ms, %.2f M steps/s",
                 peer * 1e3, peerSteps / peer / 1e6))
    for (name, t) in ours.sorted(by: { $0.key < $1.key }) {
      // Compare rates: our step count may differ from the script's.
      let ratio = (t / steps) / (peer / peerSteps)
      print(String(format: "ratio (time per step, ours / jax) %@: %.2f", name, ratio))
    }
  }
}
