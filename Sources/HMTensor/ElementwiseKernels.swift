/// Elementwise kernels: one tight loop per (operation, stride pattern), generic over the
/// scalar type and specialised for Float and Double. Large contiguous work is split into
/// fixed chunks across threads (elementwise results do not depend on the split).

/// Binary elementwise operations with numpy broadcasting.
enum BinaryOp {
  case add, sub, mul, div, pow, maximum, minimum
  case equal, notEqual, less, lessEqual, greater, greaterEqual
  /// `a` where `b > 0`, else 0: relu's backward pass as one kernel.
  case passWherePositive
}

/// Unary elementwise operations.
enum UnaryOp {
  case neg, exp, log, tanh, sigmoid, relu, softplus, sqrt, abs, sign, square, reciprocal, sin, cos
  /// x·c for a constant c.
  case scale(Double)
  /// x + c for a constant c.
  case shift(Double)
  /// 1 where x > 0 else 0 (relu's derivative, 0 at 0).
  case positiveMask
  /// 1 where lo ≤ x ≤ hi else 0 (clamp's derivative).
  case insideMask(Double, Double)
  case clamp(Double, Double)
  /// 1 where x is finite else 0.
  case finiteMask
  /// x where x is finite else 0.
  case finiteOrZero
}

/// Elements per chunk when splitting contiguous elementwise work across threads.
let elementwiseChunk = 1 << 15
/// Below this many elements elementwise work stays on the calling thread.
let elementwiseParallelThreshold = 1 << 17

/// `out[i] = f(a[i], b[i])` over the broadcast shape `outShape`.
func binaryKernel<T: TensorScalar>(_ op: BinaryOp, _ a: [T], _ aShape: [Int], _ b: [T],
                                   _ bShape: [Int], _ outShape: [Int]) -> [T] {
  switch op {
  case .add: return binaryLoop(a, aShape, b, bShape, outShape) { $0 + $1 }
  case .sub: return binaryLoop(a, aShape, b, bShape, outShape) { $0 - $1 }
  case .mul: return binaryLoop(a, aShape, b, bShape, outShape) { $0 * $1 }
  case .div: return binaryLoop(a, aShape, b, bShape, outShape) { $0 / $1 }
  case .pow: return binaryLoop(a, aShape, b, bShape, outShape) { T.mathPow($0, $1) }
  case .maximum: return binaryLoop(a, aShape, b, bShape, outShape) { ($0.isNaN || $0 > $1) ? $0 : $1 }
  case .minimum: return binaryLoop(a, aShape, b, bShape, outShape) { ($0.isNaN || $0 < $1) ? $0 : $1 }
  case .equal: return binaryLoop(a, aShape, b, bShape, outShape) { $0 == $1 ? 1 : 0 }
  case .notEqual: return binaryLoop(a, aShape, b, bShape, outShape) { $0 != $1 ? 1 : 0 }
  case .less: return binaryLoop(a, aShape, b, bShape, outShape) { $0 < $1 ? 1 : 0 }
  case .lessEqual: return binaryLoop(a, aShape, b, bShape, outShape) { $0 <= $1 ? 1 : 0 }
  case .greater: return binaryLoop(a, aShape, b, bShape, outShape) { $0 > $1 ? 1 : 0 }
  case .greaterEqual: return binaryLoop(a, aShape, b, bShape, outShape) { $0 >= $1 ? 1 : 0 }
  case .passWherePositive: return binaryLoop(a, aShape, b, bShape, outShape) { $1 > 0 ? $0 : 0 }
  }
}

@inline(__always)
func binaryLoop<T: TensorScalar>(_ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int],
                                 _ outShape: [Int], _ f: (T, T) -> T) -> [T] {
  let n = Shape.count(outShape)
  return a.withUnsafeBufferPointer { ab in
    b.withUnsafeBufferPointer { bb in
      makeArray(count: n) { (o: UnsafeMutablePointer<T>) in
        let pa = ab.baseAddress!, pb = bb.baseAddress!
        if a.count == n && b.count == n {
          chunked(n) { lo, hi in for i in lo..<hi { o[i] = f(pa[i], pb[i]) } }
        } else if b.count == 1 && a.count == n {
          let bv = pb[0]
          chunked(n) { lo, hi in for i in lo..<hi { o[i] = f(pa[i], bv) } }
        } else if a.count == 1 && b.count == n {
          let av = pa[0]
          chunked(n) { lo, hi in for i in lo..<hi { o[i] = f(av, pb[i]) } }
        } else {
          let loop = StridedLoop(shape: outShape, strides: [
            Shape.strides(outShape), Shape.broadcastStrides(aShape, to: outShape),
            Shape.broadcastStrides(bShape, to: outShape)])
          let sa = loop.innerStride(1), sb = loop.innerStride(2)
          loop.forEachRow { oo, ao, bo, m in
            let po = o + oo, qa = pa + ao, qb = pb + bo
            if sa == 1 && sb == 1 {
              for i in 0..<m { po[i] = f(qa[i], qb[i]) }
            } else if sa == 1 && sb == 0 {
              let bv = qb[0]
              for i in 0..<m { po[i] = f(qa[i], bv) }
            } else if sa == 0 && sb == 1 {
              let av = qa[0]
              for i in 0..<m { po[i] = f(av, qb[i]) }
            } else {
              for i in 0..<m { po[i] = f(qa[i &* sa], qb[i &* sb]) }
            }
          }
        }
      }
    }
  }
}

/// Runs `body(lo, hi)` over `0..<n`, in fixed chunks on several threads when `n` is large.
@inline(__always)
func chunked(_ n: Int, _ body: (Int, Int) -> Void) {
  if n < elementwiseParallelThreshold {
    body(0, n)
    return
  }
  let chunks = (n + elementwiseChunk - 1) / elementwiseChunk
  Parallelism.forEachChunk(chunks) { c in
    body(c * elementwiseChunk, min(n, (c + 1) * elementwiseChunk))
  }
}

func unaryKernel<T: TensorScalar>(_ op: UnaryOp, _ a: [T]) -> [T] {
  if T.self == Float.self {
    let fa = unsafeBitCast(a, to: [Float].self)
    switch op {
    case .exp: return unsafeBitCast(vectorMap(fa, vectorExp), to: [T].self)
    case .tanh: return unsafeBitCast(vectorMap(fa, vectorTanh), to: [T].self)
    case .sigmoid: return unsafeBitCast(vectorMap(fa, vectorSigmoid), to: [T].self)
    default: break
    }
  }
  switch op {
  case .neg: return unaryLoop(a) { -$0 }
  case .exp: return unaryLoop(a) { T.mathExp($0) }
  case .log: return unaryLoop(a) { T.mathLog($0) }
  case .tanh: return unaryLoop(a) { T.mathTanh($0) }
  case .sigmoid:
    return unaryLoop(a) { x in
      if x >= 0 { return 1 / (1 + T.mathExp(-x)) }
      let e = T.mathExp(x)
      return e / (1 + e)
    }
  case .relu: return unaryLoop(a) { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }
  case .softplus:
    return unaryLoop(a) { x in
      x.isNaN ? x : (x > 0 ? x : 0) + T.mathLog1p(T.mathExp(-Swift.abs(x)))
    }
  case .sqrt: return unaryLoop(a) { $0.squareRoot() }
  case .abs: return unaryLoop(a) { Swift.abs($0) }
  case .sign: return unaryLoop(a) { $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0.isNaN ? $0 : 0)) }
  case .square: return unaryLoop(a) { $0 * $0 }
  case .reciprocal: return unaryLoop(a) { 1 / $0 }
  case .sin: return unaryLoop(a) { T.mathSin($0) }
  case .cos: return unaryLoop(a) { T.mathCos($0) }
  case .scale(let c):
    let t = T(c)
    return unaryLoop(a) { $0 * t }
  case .shift(let c):
    let t = T(c)
    return unaryLoop(a) { $0 + t }
  case .positiveMask: return unaryLoop(a) { $0 > 0 ? 1 : 0 }
  case .insideMask(let lo, let hi):
    let l = T(lo), h = T(hi)
    return unaryLoop(a) { ($0 >= l && $0 <= h) ? 1 : 0 }
  case .clamp(let lo, let hi):
    let l = T(lo), h = T(hi)
    return unaryLoop(a) { $0.isNaN ? $0 : Swift.min(Swift.max($0, l), h) }
  case .finiteMask: return unaryLoop(a) { $0.isFinite ? 1 : 0 }
  case .finiteOrZero: return unaryLoop(a) { $0.isFinite ? $0 : 0 }
  }
}

@inline(__always)
func unaryLoop<T: TensorScalar>(_ a: [T], _ f: (T) -> T) -> [T] {
  let n = a.count
  return a.withUnsafeBufferPointer { ab in
    makeArray(count: n) { (o: UnsafeMutablePointer<T>) in
      let pa = ab.baseAddress!
      chunked(n) { lo, hi in for i in lo..<hi { o[i] = f(pa[i]) } }
    }
  }
}

/// Copies a strided view (`offset`, `strides` over `shape`) of `src` into a new contiguous array.
func stridedCopy<T: TensorScalar>(_ src: [T], offset: Int, strides: [Int], shape: [Int]) -> [T] {
  let n = Shape.count(shape)
  return src.withUnsafeBufferPointer { sb in
    makeArray(count: n) { (o: UnsafeMutablePointer<T>) in
      let loop = StridedLoop(shape: shape, strides: [Shape.strides(shape), strides])
      let si = loop.innerStride(1)
      let ps = sb.baseAddress! + offset
      loop.forEachRow { oo, so, _, m in
        let po = o + oo, q = ps + so
        if si == 1 {
          for i in 0..<m { po[i] = q[i] }
        } else if si == 0 {
          let v = q[0]
          for i in 0..<m { po[i] = v }
        } else {
          for i in 0..<m { po[i] = q[i &* si] }
        }
      }
    }
  }
}

/// Zeros of `count` elements with contiguous `src` (of `shape`) written into the strided
/// positions (`offset`, `strides`): the adjoint of ``stridedCopy`` for non-overlapping views.
func stridedScatter<T: TensorScalar>(_ src: [T], count: Int, offset: Int, strides: [Int],
                                     shape: [Int]) -> [T] {
  var out = [T](repeating: 0, count: count)
  if src.isEmpty || count == 0 { return out }
  src.withUnsafeBufferPointer { sb in
    out.withUnsafeMutableBufferPointer { ob in
      let loop = StridedLoop(shape: shape, strides: [Shape.strides(shape), strides])
      let di = loop.innerStride(1)
      let pd = ob.baseAddress! + offset, ps = sb.baseAddress!
      loop.forEachRow { so, dOff, _, m in
        let q = pd + dOff, p = ps + so
        for i in 0..<m { q[i &* di] = p[i] }
      }
    }
  }
  return out
}
