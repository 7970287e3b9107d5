import ArgumentParser
import HMTensor

/// `hmbench tensor-overhead`: the fixed cost of recording ops (µs per op) on tiny tensors and on
/// MAML-sized `[25, 10, 40]` activations, and of one small backward pass. Small-tensor overhead is
/// what bounds eager autodiff on MAML-sized problems.
struct TensorOverheadBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tensor-overhead", abstract: "Per-op overhead of HMTensor (µs per op).")

  @Option(help: "Repetitions per measurement.") var repetitions = 20000

  func run() throws {
    let activations = try Tensor.ones([25, 10, 40]).variable()
    let bias = try Tensor.ones([25, 1, 40])
    let tiny = try Tensor.ones([4]).variable()
    func time(_ name: String, _ body: () throws -> Void) rethrows {
      for _ in 0..<100 { try body() }
      let t0 = TensorBenchClock.now()
      for _ in 0..<repetitions { try body() }
      let us = (TensorBenchClock.now() - t0) / Double(repetitions) * 1e6
      print(name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%8.3f µs", us))
    }
    try time("add [4] + [4] (recorded)") { _ = try tiny + tiny }
    time("mul [4] * 2 (recorded)") { _ = tiny * 2.0 }
    time("relu [4]") { _ = tiny.relu() }
    try time("sum [4]") { _ = try tiny.sum() }
    try time("add [25,10,40] + same") { _ = try activations + activations }
    try time("add [25,10,40] + [25,1,40]") { _ = try activations + bias }
    time("relu [25,10,40]") { _ = activations.relu() }
    let big = try Tensor.ones([100_000])
    time("tanh [100000] (float32)") { _ = big.tanh() }
    time("exp [100000] (float32)") { _ = big.exp() }
    try time("sum_to [25,10,40] -> [25,1,40]") { _ = try activations.sum(toShape: [25, 1, 40]) }
    try time("mean over axes 1,2 of [25,10,40]") { _ = try activations.mean(axes: [1, 2]) }
    try time("gradients of sum(x*x), x: [4]") { _ = try gradients(of: (tiny * tiny).sum(), wrt: [tiny]) }
    // The batched products of a MAML sinusoid meta-iteration (25 tasks, K = 10, hidden 40).
    let h = try Tensor.ones([25, 10, 40]), w = try Tensor.ones([25, 40, 40])
    let g1 = try Tensor.ones([25, 10, 1]), w3 = try Tensor.ones([25, 40, 1]), x = try Tensor.ones([25, 10, 1])
    try time("matmul [25,10,40]@[25,40,40]") { _ = try h.matmul(w) }
    try time("matmul [25,10,40]@[25,40,40]ᵀ") { _ = try Tensor.matmul(h, w, transposeB: true) }
    try time("matmul [25,10,40]ᵀ@[25,10,40]") { _ = try Tensor.matmul(h, h, transposeA: true) }
    try time("matmul [25,10,40]@[25,40,1]") { _ = try h.matmul(w3) }
    try time("matmul [25,10,1]@[25,40,1]ᵀ") { _ = try Tensor.matmul(g1, w3, transposeB: true) }
    try time("matmul [25,10,40]ᵀ@[25,10,1]") { _ = try Tensor.matmul(h, g1, transposeA: true) }
    try time("matmul [25,10,1]ᵀ@[25,10,40]") { _ = try Tensor.matmul(x, h, transposeA: true) }
  }
}
