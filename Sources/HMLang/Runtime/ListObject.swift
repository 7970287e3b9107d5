/// A mutable hm list.
public final class ListObject: HeapObject {
  public var items: [Value]
  init(_ items: [Value]) { self.items = items }
  override func trace(_ heap: Heap) { for v in items { heap.mark(v) } }
}

/// An integer range `start..stop` (exclusive) with a step, as made by `a..b`, `a..=b`, `range()`.
public final class RangeObject: HeapObject {
  public let start: Int, stop: Int, step: Int
  init(start: Int, stop: Int, step: Int) { self.start = start; self.stop = stop; self.step = step }
  /// Number of elements.
  public var count: Int {
    if step > 0 { return start < stop ? (stop - start - 1) / step + 1 : 0 }
    return start > stop ? (start - stop - 1) / (-step) + 1 : 0
  }
  public func element(_ i: Int) -> Int { start + i * step }
}
