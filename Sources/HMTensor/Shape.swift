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

  /// Checks that a shape has no negative dimension.
  static func validate(_ shape: [Int], _ op: String) throws {
    for d in shape where d < 0 {
      throw TensorError(.invalidShape, op, "shape \(shape) has a negative dimension")
    }
  }
}

/// A description of strided operands iterated together over a common shape.
///
/// The outer dimensions are walked with an odometer; the innermost is handed to the caller as
/// a row `(offsets, count, innerStrides)` so kernels run a tight loop with no per-element
/// index arithmetic. Adjacent dimensions that are contiguous for every operand are merged first,
/// so contiguous and simple broadcast cases become a single row.
struct StridedLoop {
  var shape: [Int]
  var strides: [[Int]]

  init(shape: [Int], strides: [[Int]]) {
    // Drop size-1 dims, then merge mergeable neighbours.
    var sh: [Int] = []
    var st: [[Int]] = Array(repeating: [], count: strides.count)
    for i in 0..<shape.count where shape[i] != 1 {
      sh.append(shape[i])
      for k in 0..<strides.count { st[k].append(strides[k][i]) }
    }
    var i = sh.count - 1
    while i > 0 {
      var mergeable = true
      for k in 0..<st.count where st[k][i - 1] != st[k][i] &* sh[i] { mergeable = false; break }
      if mergeable {
        sh[i - 1] &*= sh[i]
        for k in 0..<st.count { st[k][i - 1] = st[k][i]; st[k].remove(at: i) }
        sh.remove(at: i)
      }
      i -= 1
    }
    if sh.isEmpty {
      sh = [1]
      st = Array(repeating: [0], count: strides.count)
    }
    self.shape = sh
    self.strides = st
  }

  /// Calls `body(o0, o1, o2, count)` for every row, with base offsets of up to three operands
  /// (unused operands get offset 0). Inner strides are `strides[k].last`.
  @inline(__always)
  func forEachRow(base: (Int, Int, Int) = (0, 0, 0), _ body: (Int, Int, Int, Int) -> Void) {
    let rank = shape.count
    let n = shape[rank - 1]
    if n == 0 { return }
    let k = strides.count
    let s0 = strides[0], s1 = k > 1 ? strides[1] : [Int](repeating: 0, count: rank)
    let s2 = k > 2 ? strides[2] : [Int](repeating: 0, count: rank)
    if rank == 1 { body(base.0, base.1, base.2, n); return }
    for d in 0..<(rank - 1) where shape[d] == 0 { return }
    var idx = [Int](repeating: 0, count: rank - 1)
    var o0 = base.0, o1 = base.1, o2 = base.2
    while true {
      body(o0, o1, o2, n)
      var d = rank - 2
      while d >= 0 {
        idx[d] += 1
        o0 &+= s0[d]; o1 &+= s1[d]; o2 &+= s2[d]
        if idx[d] < shape[d] { break }
        o0 &-= s0[d] &* shape[d]; o1 &-= s1[d] &* shape[d]; o2 &-= s2[d] &* shape[d]
        idx[d] = 0
        d -= 1
      }
      if d < 0 { return }
    }
  }

  func innerStride(_ k: Int) -> Int { strides[k][shape.count - 1] }
}
