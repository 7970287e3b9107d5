/// A vectorised float32 tanh for the sampler's no-gradient forward pass.
///
/// NOTE: libm's scalar `tanhf` (through `expm1f`) took 65% of the time of `hmbench sampling`
/// (perf, 2→100→100→2 tanh policy); a branch-free rational approximation on SIMD lanes takes
/// it to a fraction. Tested against libm (`FastTanhTests`).

/// The lanes of the vector type (256-bit: AVX2, `-target-cpu haswell` on Linux as for HMTensor).
/// Every operation is lane-wise IEEE arithmetic, so a value does not depend on the lane count.
typealias FloatLanes = SIMD8<Float>

/// tanh of each lane: x·P(x²)/Q(x²) on x clamped to ±7.905 (where float32 tanh is ±1),
/// x itself below 4e-4 — Eigen's `ptanh_float`, the approximation XLA (hence JAX on CPU) uses.
/// At most 6 ulp from the correctly rounded value (at |x| ≈ 5.85, i.e. 4e-7 absolute).
@inline(__always)
func simdTanh(_ x0: FloatLanes) -> FloatLanes {
  let bound = FloatLanes(repeating: 7.905_311_107_635_498_05)
  // NOTE: not `clamped`: its pointwise min/max are not inlined (perf: 9% of sampling).
  var x = x0.replacing(with: bound, where: x0 .> bound)
  x = x.replacing(with: -bound, where: x .< -bound)
  let x2 = x * x
  var p = FloatLanes(repeating: -2.760_768_477_423_55e-16)
  p = p * x2 + FloatLanes(repeating: 2.000_187_904_824_77e-13)
  p = p * x2 - FloatLanes(repeating: 8.604_671_522_137_35e-11)
  p = p * x2 + FloatLanes(repeating: 5.122_297_090_371_14e-08)
  p = p * x2 + FloatLanes(repeating: 1.485_722_357_179_79e-05)
  p = p * x2 + FloatLanes(repeating: 6.372_619_288_754_36e-04)
  p = p * x2 + FloatLanes(repeating: 4.893_524_558_917_86e-03)
  p = x * p
  var q = FloatLanes(repeating: 1.198_258_394_667_02e-06)
  q = q * x2 + FloatLanes(repeating: 1.185_347_056_866_54e-04)
  q = q * x2 + FloatLanes(repeating: 2.268_434_632_439_00e-03)
  q = q * x2 + FloatLanes(repeating: 4.893_525_185_543_85e-03)
  let tiny = (x0 .< FloatLanes(repeating: 0.0004)) .& (x0 .> FloatLanes(repeating: -0.0004))
  var out = (p / q).replacing(with: x0, where: tiny)
  out = out.replacing(with: x0, where: x0 .!= x0)  // NaN propagates
  return out
}

/// `values[i] = tanh(values[i] + bias[i % bias.count])` (bias optional), in place.
func addBiasAndTanh(_ values: inout [Float], bias: [Float], activation: Bool) {
  let width = bias.count, lanes = FloatLanes.scalarCount
  guard width > 0, values.count % width == 0 else { return }
  values.withUnsafeMutableBufferPointer { v in
    bias.withUnsafeBufferPointer { b in
      guard let vBase = v.baseAddress, let bBase = b.baseAddress else { return }
      let out = UnsafeMutableRawPointer(vBase), bRaw = UnsafeRawPointer(bBase)
      var row = 0
      while row < v.count {
        var k = 0
        while k + lanes <= width {
          let offset = (row + k) * MemoryLayout<Float>.stride
          var lane = out.loadUnaligned(fromByteOffset: offset, as: FloatLanes.self)
          lane += bRaw.loadUnaligned(fromByteOffset: k * MemoryLayout<Float>.stride, as: FloatLanes.self)
          if activation { lane = simdTanh(lane) }
          out.storeBytes(of: lane, toByteOffset: offset, as: FloatLanes.self)
          k += lanes
        }
        if k < width {
          var lane = FloatLanes(repeating: 0)
          for j in 0..<(width - k) { lane[j] = v[row + k + j] + b[k + j] }
          if activation { lane = simdTanh(lane) }
          for j in 0..<(width - k) { v[row + k + j] = lane[j] }
        }
        row += width
      }
    }
  }
}
