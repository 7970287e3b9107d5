// swift-tools-version:6.0
import PackageDescription

// Layers point one way (docs/architecture.md):
//   hmaml (CLI + REPL, the only libedit user) → HMRuntime → HMLang, HMRL → HMTensor, HMPlot
let optimize: [SwiftSetting] = [
  // NOTE: the VM and kernels keep hot state in locals; dynamic exclusivity checks on class
  // properties cost ~40% in the interpreter loop (DESIGN.md §8), so they are off in release.
  .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
  name: "hmaml",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "hmaml", targets: ["hmaml"]),
    .library(name: "HMRuntime", targets: ["HMRuntime"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // NOTE: HMTensor's SIMD kernels need AVX2+FMA (`SIMD.addingProduct` otherwise calls libm's
    // scalar fmaf per lane: 10x slower); docs/performance/tensor.md has the figures.
    .target(name: "HMTensor", swiftSettings: optimize + [
      .unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux])),
    ]),
    .target(name: "HMPlot", swiftSettings: optimize),
    // NOTE: AVX2 for the sampler's 8-lane tanh (`FastTanh.swift`; 4 SSE lanes took 12% of
    // `hmbench maml-nav`). No FMA contraction in Swift, so the values are the same as with SSE.
    .target(name: "HMRL", dependencies: ["HMTensor", "HMPlot"], swiftSettings: optimize + [
      .unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux])),
    ]),
    .target(name: "HMLang", swiftSettings: optimize),
    .target(name: "HMRuntime", dependencies: ["HMLang", "HMTensor", "HMRL", "HMPlot"], swiftSettings: optimize),
    .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
    .executableTarget(
      name: "hmaml",
      dependencies: ["HMRuntime", "CLibEdit",
                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: optimize,
      // NOTE: a static Swift runtime and FoundationEssentials only (no full Foundation anywhere
      // in the binary) make start-up ~1.5 ms instead of ~12 ms (docs/performance.md).
      linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "-no-pie"]), .linkedLibrary("_FoundationCollections"), .linkedLibrary("_FoundationCShims"), .linkedLibrary("swiftSynchronization")]),
    .executableTarget(
      name: "hmbench",
      dependencies: ["HMRuntime", "HMTensor", "HMRL",
                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: optimize),
    .target(name: "HMTestSupport", dependencies: ["HMTensor"], path: "Tests/HMTestSupport"),
    .testTarget(name: "HMTensorTests", dependencies: ["HMTensor", "HMTestSupport"]),
    .testTarget(name: "HMPlotTests", dependencies: ["HMPlot", "HMTestSupport"]),
    .testTarget(name: "HMRLTests", dependencies: ["HMRL", "HMTestSupport"]),
    .testTarget(name: "HMLangTests", dependencies: ["HMLang", "HMTestSupport"]),
    .testTarget(name: "HMRuntimeTests", dependencies: ["HMRuntime", "HMTestSupport"], exclude: ["Language"]),
    .testTarget(name: "hmamlTests", dependencies: ["HMTestSupport"]),
  ],
  swiftLanguageModes: [.v5]
)
