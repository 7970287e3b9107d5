#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// A counter-based random number generator (Philox4x32-10, Salmon et al., SC 2011) whose
/// streams are named by a seed and a path of stream ids, e.g. `(seed, [iteration, task, episode])`.
///
/// The key is a hash of (seed, stream ids) and the counter is the draw index, so any stream can
/// be recreated from its name alone, streams never depend on which thread uses them, and a
/// child stream (``child(_:)``) is independent of how many numbers its parent has produced.
///
/// Conforms to `RandomNumberGenerator`, so it works with `Int.random(in:using:)`, `shuffled(using:)`
/// and any API taking `inout some RandomNumberGenerator`.
///
/// ```swift
/// var rng = RandomStream(seed: 42, stream: [iteration, taskIndex])
/// let x = rng.uniform()                 // [0, 1)
/// let w = try Tensor.normal([3, 4], using: &rng)
/// ```
public struct RandomStream: RandomNumberGenerator, Sendable, Equatable {
  /// The seed this stream derives from.
  public let seed: UInt64
  /// The stream ids below the seed.
  public let stream: [UInt64]
  let key: (UInt32, UInt32)
  /// Index of the next 128-bit Philox block.
  var counter: UInt64 = 0
  var buffer: (UInt64, UInt64) = (0, 0)
  var buffered = 0

  /// The stream named `(seed, stream)`, positioned at its first draw.
  public init(seed: UInt64, stream: [UInt64] = []) {
    self.seed = seed
    self.stream = stream
    var h = splitMix64(seed ^ 0x6A09_E667_F3BC_C909)
    for s in stream { h = splitMix64(h ^ splitMix64(s &+ 0xBB67_AE85_84CA_A73B)) }
    key = (UInt32(truncatingIfNeeded: h), UInt32(truncatingIfNeeded: h >> 32))
  }

  /// Same name and same position.
  public static func == (a: RandomStream, b: RandomStream) -> Bool {
    a.seed == b.seed && a.stream == b.stream && a.counter == b.counter && a.buffered == b.buffered
  }

  /// The independent stream `(seed, stream + [id])`.
  public func child(_ id: UInt64) -> RandomStream {
    RandomStream(seed: seed, stream: stream + [id])
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    if buffered == 0 {
      let (a, b, c, d) = philox4x32(counter: counter, key: key)
      counter &+= 1
      buffer = (UInt64(a) | UInt64(b) << 32, UInt64(c) | UInt64(d) << 32)
      buffered = 2
      buffered -= 1
      return buffer.0
    }
    buffered -= 1
    return buffer.1
  }

  /// A uniform double in [0, 1) with 53 random bits.
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A uniform double in [low, high).
  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * uniform()
  }

  /// A standard normal draw (Box–Muller; one draw per call, two uniforms consumed).
  public mutating func normal() -> Double {
    let u1 = 1 - uniform()  // (0, 1]
    let u2 = uniform()
    return (-2 * Glibc.log(u1)).squareRoot() * Glibc.cos(2 * Double.pi * u2)
  }

  /// A normal draw with the given mean and standard deviation.
  public mutating func normal(mean: Double, std: Double) -> Double {
    mean + std * normal()
  }

  /// An index drawn with probability proportional to `weights` (non-negative, finite, not all
  /// zero); zero-weight entries are never drawn.
  ///
  /// - Throws: `TensorError.invalidArgument` for empty, negative, non-finite or all-zero weights.
  /// - Complexity: O(weights.count).
  public mutating func categorical(weights: [Double]) throws -> Int {
    var total = 0.0
    for w in weights {
      guard w >= 0, w.isFinite else {
        throw TensorError(.invalidArgument, "categorical", "weight \(w) is negative or not finite")
      }
      total += w
    }
    guard total > 0 else {
      throw TensorError(.invalidArgument, "categorical", "weights \(weights.prefix(8)) sum to zero")
    }
    let u = uniform() * total
    var acc = 0.0
    var last = 0
    for (i, w) in weights.enumerated() where w > 0 {
      acc += w
      last = i
      if u < acc { return i }
    }
    return last
  }
}

/// SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix.
@inline(__always)
func splitMix64(_ x: UInt64) -> UInt64 {
  var z = x &+ 0x9E37_79B9_7F4A_7C15
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}

/// Philox4x32 with 10 rounds on counter (ctr, 0, 0, 0) — Random123's constants.
@inline(__always)
func philox4x32(counter: UInt64, key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
  var c0 = UInt32(truncatingIfNeeded: counter), c1 = UInt32(truncatingIfNeeded: counter >> 32)
  var c2: UInt32 = 0, c3: UInt32 = 0
  var k0 = key.0, k1 = key.1
  for _ in 0..<10 {
    let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
    let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
    let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
    let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
    (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
    k0 &+= 0x9E37_79B9
    k1 &+= 0xBB67_AE85
  }
  return (c0, c1, c2, c3)
}

extension Tensor {
  /// Uniform samples in [low, high) of `shape`, drawn in row-major order from `rng`.
  /// - Throws: `TensorError.invalidShape` for a negative dimension,
  ///   `TensorError.invalidArgument` when the bounds are not finite or `low > high`.
  public static func uniform(_ shape: [Int], low: Double = 0, high: Double = 1,
                             dtype: DType = .float32, using rng: inout RandomStream) throws -> Tensor {
    try Shape.validate(shape, "uniform")
    guard low.isFinite, high.isFinite, low <= high else {
      throw TensorError(.invalidArgument, "uniform", "bounds [\(low), \(high)) are not a finite interval")
    }
    let n = Shape.count(shape)
    switch dtype {
    case .float64:
      return Tensor(shape: shape, storage: .float64((0..<n).map { _ in rng.uniform(low, high) }))
    case .float32:
      // Two 24-bit floats per 64-bit draw (high half first): exact in [0, 1), half the draws.
      let lo = Float(low), width = Float(high) - Float(low)
      let v: [Float] = makeArray(count: n) { out in
        var i = 0
        while i < n {
          let bits = rng.next()
          out[i] = uniformFloat(lo, width, UInt32(truncatingIfNeeded: bits >> 40))
          if i + 1 < n { out[i + 1] = uniformFloat(lo, width, UInt32(truncatingIfNeeded: (bits >> 8) & 0xFF_FFFF)) }
          i += 2
        }
      }
      return Tensor(shape: shape, storage: .float32(v))
    }
  }

  /// Normal samples of `shape`, drawn in row-major order from `rng` (Box–Muller, both branches).
  /// - Throws: `TensorError.invalidShape`, `TensorError.invalidArgument` for a negative or
  ///   non-finite `std`.
  public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1,
                            dtype: DType = .float32, using rng: inout RandomStream) throws -> Tensor {
    try Shape.validate(shape, "normal")
    guard std >= 0, std.isFinite, mean.isFinite else {
      throw TensorError(.invalidArgument, "normal", "mean \(mean), std \(std) are not valid")
    }
    // Box–Muller pairs: both the cosine and the sine branch are used (two normals per two
    // uniforms), filling the tensor in row-major order.
    let n = Shape.count(shape)
    var v = [Double](repeating: 0, count: n)
    var i = 0
    while i < n {
      let r = (-2 * Glibc.log(1 - rng.uniform())).squareRoot()
      let theta = 2 * Double.pi * rng.uniform()
      v[i] = mean + std * r * Glibc.cos(theta)
      if i + 1 < n { v[i + 1] = mean + std * r * Glibc.sin(theta) }
      i += 2
    }
    return Tensor(shape: shape, storage: .from(v, dtype: dtype))
  }

  /// One category index per row of `logits` (`[..., k]`), sampled from softmax(logits) along
  /// the last axis; returns a tensor of shape `[...]` holding the indices (as floats).
  /// `-inf` logits are never drawn.
  /// - Throws: `TensorError.invalidShape` for rank 0 or zero categories,
  ///   `TensorError.invalidArgument` when a row has no finite logit or contains NaN / +inf.
  public static func categorical(logits: Tensor, using rng: inout RandomStream) throws -> Tensor {
    guard logits.rank >= 1, let k = logits.shape.last, k > 0 else {
      throw TensorError(.invalidShape, "categorical", "logits of shape \(logits.shape) have no categories")
    }
    let v = logits.toArray()
    let rows = v.count / k
    var out = [Double](repeating: 0, count: rows)
    for r in 0..<rows {
      let row = v[(r * k)..<((r + 1) * k)]
      guard let m = row.max(), m.isFinite, !row.contains(where: { $0.isNaN || $0 == .infinity }) else {
        throw TensorError(.invalidArgument, "categorical", "row \(r) of logits has no valid maximum")
      }
      out[r] = Double(try rng.categorical(weights: row.map { Glibc.exp($0 - m) }))
    }
    return Tensor(shape: Array(logits.shape.dropLast()), storage: .from(out, dtype: logits.dtype))
  }
}

/// lo + width·u for u = bits24 / 2²⁴ ∈ [0, 1), kept below lo + width after rounding.
@inline(__always)
func uniformFloat(_ lo: Float, _ width: Float, _ bits24: UInt32) -> Float {
  let x = lo + width * (Float(bits24) * 0x1p-24)
  let hi = lo + width
  return x < hi || width == 0 ? x : hi.nextDown
}
