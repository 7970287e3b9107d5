import HMTensor
import HMTestSupport
import Testing

/// Every user-reachable failure throws a `TensorError` naming the operation and the shapes.
@Suite struct TensorErrorTests {
  let a = try! Tensor([1, 2, 3], shape: [3], dtype: .float64)
  let m34 = try! Tensor.zeros([3, 4]), m52 = try! Tensor.zeros([5, 2])

  @Test func shapeMismatchNamesBothShapes() {
    expectTensorError(.shapeMismatch, mentions: ["add:", "[3]", "[4]", "cannot broadcast"]) {
      try a + Tensor.zeros([4])
    }
    expectTensorError(.shapeMismatch, mentions: ["mul:", "[2, 3]", "[4, 3]"]) {
      try Tensor.zeros([2, 3]) * Tensor.zeros([4, 3])
    }
    expectTensorError(.shapeMismatch, mentions: ["matmul: shapes [3, 4] and [5, 2] do not align"]) {
      try m34.matmul(m52)
    }
    expectTensorError(.shapeMismatch, mentions: ["matmul", "[2, 3, 4]", "[3, 4, 5]"]) {
      try Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 5]))
    }
    expectTensorError(.shapeMismatch, mentions: ["concat", "[2, 3]", "[2, 4]"]) {
      try Tensor.concat([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])], axis: 0)
    }
    expectTensorError(.shapeMismatch, mentions: ["stack"]) { try Tensor.stack([a, Tensor.zeros([2])]) }
    expectTensorError(.shapeMismatch, mentions: ["where"]) {
      try Tensor.where(Tensor.zeros([2]), Tensor.zeros([3]), Tensor.zeros([1]))
    }
    expectTensorError(.shapeMismatch, mentions: ["broadcast_to", "[3]", "[2]"]) { try a.broadcast(to: [2]) }
    expectTensorError(.shapeMismatch, mentions: ["gather"]) { try a.gather(axis: 0, indices: Tensor.zeros([1, 1])) }
  }

  @Test func invalidShapesAndAxes() {
    expectTensorError(.invalidShape, mentions: ["reshape", "[3]", "[2, 2]"]) { try a.reshaped([2, 2]) }
    expectTensorError(.invalidShape, mentions: ["reshape"]) { try a.reshaped([-1, -1]) }
    expectTensorError(.invalidShape, mentions: ["tensor"]) { try Tensor([1, 2], shape: [3]) }
    expectTensorError(.invalidShape, mentions: ["negative"]) { try Tensor.zeros([-1]) }
    expectTensorError(.invalidShape, mentions: ["matmul", "rank 2"]) { try a.matmul(a) }
    expectTensorError(.invalidShape, mentions: ["item"]) { try a.item() }
    expectTensorError(.invalidShape, mentions: ["transpose"]) { try a.transposed() }
    expectTensorError(.invalidAxis, mentions: ["sum", "axis 1", "rank 1"]) { try a.sum(axis: 1) }
    expectTensorError(.invalidAxis, mentions: ["repeated"]) { try m34.sum(axes: [0, -2]) }
    expectTensorError(.invalidAxis, mentions: ["permute"]) { try m34.permuted([0, 0]) }
    expectTensorError(.invalidAxis, mentions: ["squeeze"]) { try m34.squeezed(0) }
    expectTensorError(.invalidAxis, mentions: ["softmax"]) { try a.softmax(axis: 3) }
  }

  @Test func invalidIndicesAndArguments() {
    expectTensorError(.indexOutOfRange, mentions: ["index 3", "size 3"]) { try a[3] }
    expectTensorError(.indexOutOfRange, mentions: ["index -4"]) { try a[-4] }
    expectTensorError(.indexOutOfRange, mentions: ["element"]) { try a.element(at: [0, 0]) }
    expectTensorError(.indexOutOfRange, mentions: ["slice"]) { try a.slice([.all, .all]) }
    expectTensorError(.invalidArgument, mentions: ["step", "0"]) { try a.slice([SliceSpec(step: 0)]) }
    expectTensorError(.indexOutOfRange, mentions: ["gather", "5"]) {
      try a.gather(axis: 0, indices: Tensor([5], shape: [1]))
    }
    expectTensorError(.invalidArgument, mentions: ["not an integer"]) {
      try a.gather(axis: 0, indices: Tensor([0.5], shape: [1]))
    }
    expectTensorError(.invalidArgument, mentions: ["not an integer"]) {
      try a.gather(axis: 0, indices: Tensor([.nan], shape: [1]))
    }
    expectTensorError(.indexOutOfRange, mentions: ["one_hot"]) { try Tensor.oneHot(a, depth: 2) }
    expectTensorError(.invalidArgument, mentions: ["clamp"]) { try a.clamp(min: 2, max: 1) }
    expectTensorError(.invalidArgument, mentions: ["arange"]) { try Tensor.arange(0, 1, step: 0) }
    expectTensorError(.invalidArgument, mentions: ["concat"]) { try Tensor.concat([]) }
  }
}

/// Limits are errors: shapes too large to allocate throw instead of crashing.
@Suite struct TensorLimitTests {
  @Test func hugeShapesThrow() {
    expectTensorError(.invalidShape, mentions: ["zeros", "elements"]) { try Tensor.zeros([1 << 20, 1 << 20]) }
    expectTensorError(.invalidShape, mentions: ["full"]) { try Tensor.full([Int.max, 2], 1) }
    expectTensorError(.invalidShape, mentions: ["add", "elements"]) {
      try Tensor.zeros([1 << 17, 1]) + Tensor.zeros([1, 1 << 17])
    }
    expectTensorError(.invalidShape, mentions: ["broadcast_to"]) { try Tensor.zeros([1]).broadcast(to: [1 << 40]) }
    expectTensorError(.invalidShape, mentions: ["reshape"]) { try Tensor.zeros([0]).reshaped([1 << 40, 1 << 40, 0]) }
    expectTensorError(.invalidShape, mentions: ["one_hot"]) { try Tensor.oneHot(Tensor.zeros([1 << 16]), depth: 1 << 16) }
    #expect(throws: Never.self) { try Tensor.zeros([0, 1 << 40]) }
  }
}
