import ArgumentParser
import Foundation
import HMTensor

/// `hmbench tensor-matmul`: square float32 matmul GFLOP/s for HMTensor and, side by side,
/// numpy (its OpenBLAS), with the ratio.
struct TensorMatmulBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tensor-matmul", abstract: "Square float32 matmul GFLOP/s vs numpy.")

  @Option(help: "Comma-separated square sizes.") var sizes = "64,128,256,512,1024"
  @Option(help: "Python with numpy for the peer; empty to skip.") var python = "python3"
  @Option(help: "Seconds of timing per size (each side).") var seconds = 1.0

  func run() throws {
    let ns = sizes.split(separator: ",").compactMap { Int($0) }
    print("threads: \(Parallelism.threadCount)")
    print("size   hmtensor GFLOP/s   numpy GFLOP/s   ratio")
    for n in ns {
      var rng = RandomStream(seed: UInt64(n))
      let a = try Tensor.uniform([n, n], using: &rng), b = try Tensor.uniform([n, n], using: &rng)
      _ = try a.matmul(b)
      var times: [Double] = []
      let start = TensorBenchClock.now()
      while TensorBenchClock.now() - start < seconds || times.count < 3 {
        let t0 = TensorBenchClock.now()
        _ = try a.matmul(b)
        times.append(TensorBenchClock.now() - t0)
      }
      let ours = 2 * Double(n * n * n) / TensorBenchClock.median(times) / 1e9
      var peer = Double.nan
      if !python.isEmpty {
        let script = """
        import numpy as np, time, statistics
        n=\(n); a=np.random.rand(n,n).astype(np.float32); b=np.random.rand(n,n).astype(np.float32); a@b
        ts=[]; s=time.perf_counter()
        while time.perf_counter()-s < \(seconds) or len(ts) < 3:
            t=time.perf_counter(); a@b; ts.append(time.perf_counter()-t)
        print(2*n**3/statistics.median(ts)/1e9)
        """
        peer = Double(try TensorBenchClock.run("/usr/bin/env", [python, "-c", script]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan
      }
      print(String(format: "%5d   %16.1f   %13.1f   %5.2f", n, ours, peer, ours / peer))
    }
  }
}
