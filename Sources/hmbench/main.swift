import ArgumentParser

/// hmbench: hmaml's benchmarks, each printing figures and ratios against its peer.
struct HMBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hmbench",
    abstract: "hmaml benchmarks (ratios against peers measured side by side).",
    subcommands: [TensorMatmulBenchmark.self, TensorMAMLSinusoidBenchmark.self, TensorOverheadBenchmark.self, SamplingBenchmark.self,
                  Algorithm1Benchmark.self, MAMLNavigationBenchmark.self])
}

HMBench.main()
