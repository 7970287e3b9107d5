/// Reverse-mode automatic differentiation with higher-order gradients.
///
/// Every differentiable primitive records a ``GradFn``: its inputs and a vector-Jacobian
/// product (VJP) *written in differentiable tensor operations*. Backpropagation runs those VJPs
/// in reverse topological order. With `createGraph: true` the VJPs run on the recorded tensors,
/// so the gradients they return carry their own graph and can be differentiated again
/// (grad-of-grad, Hessian-vector products, MAML's second-order meta-gradient). With
/// `createGraph: false` they run on detached copies and return constants.

/// What a vector-Jacobian product receives.
struct VJPContext {
  /// The gradient flowing into the op's output (same shape as the output).
  let grad: Tensor
  /// The op's inputs (detached unless a graph is being created).
  let inputs: [Tensor]
  /// The op's output (detached unless a graph is being created).
  let output: Tensor
  /// Which inputs need a gradient; a VJP may return `nil` for the others.
  let needs: [Bool]
}

/// A vector-Jacobian product: the gradient of each input, or nil when not needed.
typealias VJP = (VJPContext) throws -> [Tensor?]

/// The recorded computation of one tensor.
final class GradFn {
  let op: String
  private(set) var inputs: [Tensor]
  let vjp: VJP
  init(op: String, inputs: [Tensor], vjp: @escaping VJP) {
    self.op = op
    self.inputs = inputs
    self.vjp = vjp
  }

  /// Empties `inputs` and returns them (for iterative teardown of deep graphs only).
  func takeInputs() -> [Tensor] {
    let taken = inputs
    inputs = []
    return taken
  }
}

extension Tensor {
  /// Wraps a freshly computed storage as an op result, recording `vjp` when any input
  /// requires grad.
  @inline(__always)
  static func record(_ storage: Storage, _ shape: [Int], _ op: String, _ inputs: [Tensor],
                     _ vjp: @escaping VJP) -> Tensor {
    var rg = false
    for t in inputs where t.requiresGrad { rg = true; break }
    return Tensor(shape: shape, storage: storage,
                  gradFn: rg ? GradFn(op: op, inputs: inputs, vjp: vjp) : nil)
  }
}

/// The gradients of `output` with respect to each of `inputs` (reverse-mode autodiff).
///
/// Computes `seedᵀ · ∂output/∂input` for every input. With no seed, the seed is all ones, i.e.
/// the gradient of `output.sum()` (for a scalar loss: the ordinary gradient).
///
/// - Parameters:
///   - output: The tensor to differentiate, any shape.
///   - inputs: Variables or intermediate tensors of `output`'s computation. An input that
///     `output` does not depend on gets a zero gradient of its own shape and dtype.
///   - seed: Optional cotangent with `output`'s shape.
///   - createGraph: When true (PyTorch's `create_graph`), the returned gradients are themselves
///     differentiable functions of the variables, so they can be differentiated again.
/// - Returns: One gradient per input, each with that input's shape.
/// - Throws: `TensorError.shapeMismatch` when `seed`'s shape differs from `output`'s.
/// - Complexity: O(size of the recorded graph).
public func gradients(of output: Tensor, wrt inputs: [Tensor], seed: Tensor? = nil,
                      createGraph: Bool = false) throws -> [Tensor] {
  if let seed, seed.shape != output.shape {
    throw TensorError.shapes("gradients", output.shape, seed.shape,
                             "differ (output and seed must have the same shape)")
  }
  guard output.requiresGrad else {
    return inputs.map { Tensor.zeros(like: $0) }
  }

  // Post-order DFS over the recorded graph. `slot[t]` is t's position in `order`
  // (-1 while t is on the DFS stack); per-node state lives in arrays indexed by slot.
  var slot: [ObjectIdentifier: Int] = [:]
  var order: [Tensor] = []
  var stack: [(Tensor, Int)] = [(output, 0)]
  slot[ObjectIdentifier(output)] = -1
  while let (t, i) = stack.popLast() {
    let fnInputs = t.gradFn?.inputs ?? []
    if i < fnInputs.count {
      stack.append((t, i + 1))
      let child = fnInputs[i]
      if child.requiresGrad, slot[ObjectIdentifier(child)] == nil {
        slot[ObjectIdentifier(child)] = -1
        stack.append((child, 0))
      }
    } else {
      slot[ObjectIdentifier(t)] = order.count
      order.append(t)
    }
  }
  let n = order.count
  // Children of each node as slots (-1 for inputs that do not require grad).
  var childSlots: [[Int]] = []
  childSlots.reserveCapacity(n)
  for t in order {
    childSlots.append((t.gradFn?.inputs ?? []).map { $0.requiresGrad ? slot[ObjectIdentifier($0)] ?? -1 : -1 })
  }
  var isTarget = [Bool](repeating: false, count: n)
  for t in inputs { if let k = slot[ObjectIdentifier(t)] { isTarget[k] = true } }
  var reaches = isTarget
  for k in 0..<n where !reaches[k] {
    for c in childSlots[k] where c >= 0 && reaches[c] { reaches[k] = true; break }
  }

  var grads = [Tensor?](repeating: nil, count: n)
  let seedTensor = seed ?? Tensor.ones(like: output)
  grads[n - 1] = createGraph ? seedTensor.to(output.dtype) : seedTensor.detached().to(output.dtype)
  for k in stride(from: n - 1, through: 0, by: -1) {
    let t = order[k]
    guard reaches[k], let fn = t.gradFn, let g = grads[k] else { continue }
    if !isTarget[k] { grads[k] = nil }
    let children = childSlots[k]
    let needs = children.map { $0 >= 0 && reaches[$0] }
    let ctx = VJPContext(grad: g,
                         inputs: createGraph ? fn.inputs : fn.inputs.map { $0.detached() },
                         output: createGraph ? t : t.detached(),
                         needs: needs)
    let inGrads = try fn.vjp(ctx)
    for (j, c) in children.enumerated() where needs[j] {
      guard let gj = inGrads[j] else { continue }
      guard gj.shape == fn.inputs[j].shape else {
        throw TensorError(.shapeMismatch, "gradients", "the derivative rule of \(fn.op) returned shape \(gj.shape) for an input of shape \(fn.inputs[j].shape)")
      }
      if let acc = grads[c] {
        grads[c] = try acc + gj
      } else {
        grads[c] = gj
      }
    }
  }
  return inputs.map { t in
    if let k = slot[ObjectIdentifier(t)], let g = grads[k] {
      return createGraph ? g.to(t.dtype) : g.detached().to(t.dtype)
    }
    return Tensor.zeros(like: t)
  }
}

/// The loss and its gradients with respect to `inputs`, in one call.
public func valueAndGradients(of output: Tensor, wrt inputs: [Tensor],
                              createGraph: Bool = false) throws -> (value: Tensor, gradients: [Tensor]) {
  (output, try gradients(of: output, wrt: inputs, createGraph: createGraph))
}

/// The Hessian-vector product `H v` of a scalar `output` with respect to `inputs`,
/// by double backpropagation: `∇ₓ (∇ₓ f · v)`.
///
/// - Parameters:
///   - output: A scalar (one-element) tensor computed from `inputs`.
///   - inputs: The variables x.
///   - vector: v, one tensor per input with the same shapes.
///   - createGraph: Keep the result differentiable (third order).
/// - Throws: `TensorError.shapeMismatch` when a vector part does not match its input's shape,
///   `TensorError.invalidShape` when `output` is not a single element.
public func hessianVectorProduct(of output: Tensor, wrt inputs: [Tensor], vector: [Tensor],
                                 createGraph: Bool = false) throws -> [Tensor] {
  guard output.count == 1 else {
    throw TensorError(.invalidShape, "hessianVectorProduct",
                      "output of shape \(output.shape) is not a scalar")
  }
  guard vector.count == inputs.count else {
    throw TensorError(.invalidArgument, "hessianVectorProduct",
                      "\(vector.count) vector parts for \(inputs.count) inputs")
  }
  for (x, v) in zip(inputs, vector) where x.shape != v.shape {
    throw TensorError.shapes("hessianVectorProduct", x.shape, v.shape, "differ (input and vector)")
  }
  let g = try gradients(of: output, wrt: inputs, createGraph: true)
  var dot: Tensor? = nil
  for (gi, vi) in zip(g, vector) {
    let term = try (gi * vi.detached()).sum()
    dot = try dot.map { try $0 + term } ?? term
  }
  guard let dot else { return [] }
  return try gradients(of: dot, wrt: inputs, createGraph: createGraph)
}
