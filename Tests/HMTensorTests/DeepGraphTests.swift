import HMTensor
import HMTestSupport
import Testing

/// Long recorded chains (a training loop that keeps its graph, a long rollout) neither overflow
/// the stack when differentiated nor when released.
@Suite struct DeepGraphTests {
  @Test func longChainDifferentiatesAndFrees() throws {
    let x = try Tensor([0.5], shape: [1], dtype: .float64).variable()
    var y = x
    for _ in 0..<200_000 { y = y * 1.0 + 0.0 }
    let g = try gradients(of: y.sum(), wrt: [x])[0]
    #expect(g.toArray() == [1])
    y = x  // releases the 400k-node graph
    #expect(y.count == 1)
  }
}
