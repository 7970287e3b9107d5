/// Shape arithmetic shared by all ops: element counts, row-major strides, broadcasting and
/// axis normalisation. Pure functions on `[Int]`.
enum Shape {
  /// The number of elements of `shape` (1 for a scalar, 0 if any dimension is 0).
  @inline(__always)
  static func count(_ shape: [Int]) -> Int {
    var n = 1
    for d in shape { n &*= d }
    return n
  }

  /// Row-major strides (in elements) of a contiguous tensor of `shape`.
  static func strides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      s[i] = acc
      acc &*= shape[i]
    }
    return s
  }

  /// The numpy broadcast of two shapes, or `nil` when they cannot broadcast.
  static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
    if a == b { return a }
    let n = max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
      let da = i < n - a.count ? 1 : a[i - (n - a.count)]
      let db = i < n - b.count ? 1 : b[i - (n - b.count)]
      if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
    }
    return out
  }

  /// Strides for reading a tensor of `shape` as if broadcast to `target` (0 on broadcast axes).
  ///
  /// - Precondition: `shape` broadcasts to `target` (checked by the caller).
  static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = strides(shape)
    let lead = target.count - shape.count
    var s = [Int](repeating: 0, count: target.count)
    for i in 0..<shape.count where shape[i] != 1 || target[lead + i] == 1 {
      s[lead + i] = shape[i] == 1 ? 0 : own[i]
    }
    return s
  }

  /// Normalises a possibly negative axis for a tensor of rank `rank`.
  static func axis(_ axis: Int, rank: Int, _ op: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < rank else {
      throw TensorError(.invalidAxis, op, "axis \(axis) is out of range for rank \(rank)")
    }
    return a
  }

  /// Normalises a list of axes (`nil` = all axes), rejecting duplicates.
  static func axes(_ axes: [Int]?, rank: Int, _ op: String) throws -> [Int] {
    guard let axes else { return Array(0..<rank) }
    var seen = [Bool](repeating: false, count: rank)
    var out: [Int] = []
    for a in axes {
      let n = try axis(a, rank: rank, op)
      guard !seen[n] else { throw TensorError(.invalidAxis, op, "axis \(a) is repeated") }
      seen[n] = true
      out.append(n)
    }
    return out.sorted()
  }

  /// The largest number of elements a tensor may have (2³¹, i.e. 8 GiB of float32): a limit,
  /// so that a typo in a shape is an error rather than an out-of-memory crash.
  static let maxElements = 1 << 31

  /// Checks that a shape has no negative dimension and at most ``maxElements`` elements.
  static func validate(_ shape: [Int], _ op: String) throws {
    var n = 1
    for d in shape {
      guard d >= 0 else { throw TensorError(.invalidShape, op, "shape \(shape) has a negative dimension") }
      let (p, overflow) = n.multipliedReportingOverflow(by: d)
      guard !overflow, p <= maxElements || shape.contains(0) else {
        throw TensorError(.invalidShape, op, "shape \(shape) has more than \(maxElements) elements")
      }
      n = overflow ? 0 : p
    }
  }
}

/// A description of strided operands iterated together over a common shape.
///
/// The outer dimensions are walked with an odometer; the innermost is handed to the caller as
/// a row `(offsets, count)` so kernels run a tight loop with no per-element index arithmetic.
/// Size-1 dimensions are dropped and adjacent dimensions that are contiguous for every operand
/// are merged, so contiguous and simple broadcast cases become few long rows.
struct StridedLoop {
  /// Merged dimensions, outermost first (never empty).
  var shape: [Int]
  /// Strides of operand k for merged dimension d at `strides[d * operands + k]`.
  var strides: [Int]
  let operands: Int

  init(shape inShape: [Int], strides inStrides: [[Int]]) {
    let k = inStrides.count
    operands = k
    var sh: [Int] = []
    var st: [Int] = []
    sh.reserveCapacity(inShape.count)
    st.reserveCapacity(inShape.count * k)
    for d in 0..<inShape.count where inShape[d] != 1 {
      if let last = sh.last {
        var mergeable = true
        let base = (sh.count - 1) * k
        for o in 0..<k where st[base + o] != inStrides[o][d] &* inShape[d] { mergeable = false; break }
        if mergeable {
          sh[sh.count - 1] = last &* inShape[d]
          for o in 0..<k { st[base + o] = inStrides[o][d] }
          continue
        }
      }
      sh.append(inShape[d])
      for o in 0..<k { st.append(inStrides[o][d]) }
    }
    if sh.isEmpty {
      sh = [1]
      st = [Int](repeating: 0, count: k)
    }
    shape = sh
    strides = st
  }

  /// Calls `body(o0, o1, o2, count)` for every row, with base offsets of up to three operands
  /// (missing operands get offset 0). Inner strides are given by ``innerStride(_:)``.
  @inline(__always)
  func forEachRow(_ body: (Int, Int, Int, Int) -> Void) {
    let rank = shape.count
    let n = shape[rank - 1]
    if n == 0 { return }
    if rank == 1 { body(0, 0, 0, n); return }
    for d in 0..<(rank - 1) where shape[d] == 0 { return }
    let k = operands
    if rank == 2 {
      // The common case after merging (a matrix of rows, e.g. a bias over a batch).
      let t0 = strides[0], t1 = k > 1 ? strides[1] : 0, t2 = k > 2 ? strides[2] : 0
      var o0 = 0, o1 = 0, o2 = 0
      for _ in 0..<shape[0] {
        body(o0, o1, o2, n)
        o0 &+= t0; o1 &+= t1; o2 &+= t2
      }
      return
    }
    withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { idx in
      for d in 0..<rank { idx[d] = 0 }
      strides.withUnsafeBufferPointer { st in
        shape.withUnsafeBufferPointer { sh in
          var o0 = 0, o1 = 0, o2 = 0
          while true {
            body(o0, o1, o2, n)
            var d = rank - 2
            while d >= 0 {
              idx[d] &+= 1
              let b = d &* k
              o0 &+= st[b]
              if k > 1 { o1 &+= st[b + 1] }
              if k > 2 { o2 &+= st[b + 2] }
              if idx[d] < sh[d] { break }
              let back = sh[d]
              o0 &-= st[b] &* back
              if k > 1 { o1 &-= st[b + 1] &* back }
              if k > 2 { o2 &-= st[b + 2] &* back }
              idx[d] = 0
              d -= 1
            }
            if d < 0 { return }
          }
        }
      }
    }
  }

  /// The innermost stride of operand `k`.
  func innerStride(_ k: Int) -> Int { strides[(shape.count - 1) * operands + k] }
}
