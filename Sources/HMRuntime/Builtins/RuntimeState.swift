/// Per-interpreter state that primitives need beyond the VM: the script's random generator and
/// arguments. Reached from a native call through `call.vm.context`.
final class RuntimeState {
  var seed: UInt64
  var random: ScriptRandom
  var scriptArguments: [String] = []
  /// Tensor draws without an explicit seed so far (each uses its own stream of the run's seed).
  var tensorDraws: UInt64 = 0
  init(seed: UInt64) { self.seed = seed; random = ScriptRandom(seed: seed) }
}

extension NativeCall {
  var state: RuntimeState {
    if let s = vm.context as? RuntimeState { return s }
    let s = RuntimeState(seed: 0)
    vm.context = s
    return s
  }
}

/// The script-level random generator: SplitMix64 seeding a xoshiro256** state. Deterministic
/// for a seed (`--seed N`, `random.seed(n)`).
struct ScriptRandom: RandomNumberGenerator {
  private var s: (UInt64, UInt64, UInt64, UInt64)
  init(seed: UInt64) {
    var x = seed
    func split() -> UInt64 {
      x &+= 0x9e37_79b9_7f4a_7c15
      var z = x
      z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
      z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
      return z ^ (z >> 31)
    }
    s = (split(), split(), split(), split())
  }
  mutating func next() -> UInt64 {
    let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
    let t = s.1 << 17
    s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3; s.2 ^= t
    s.3 = (s.3 << 45) | (s.3 >> 19)
    return result
  }
  /// Uniform in [0, 1) with 53 random bits.
  mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
  /// Standard normal (Box–Muller).
  mutating func normal() -> Double {
    var u = uniform()
    while u <= 0 { u = uniform() }
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * uniform())
  }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
