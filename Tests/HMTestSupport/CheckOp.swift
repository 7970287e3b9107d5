import HMTensor
import Testing

/// One-call check of an op (STYLE.md rule 10): the forward value against `expected` (when
/// given, to `rtol`), then reverse-mode gradients against finite differences and, unless
/// `secondOrder` is false, Hessian-vector products against finite differences of gradients.
/// Inputs should be float64.
public func checkOp(_ name: String, at inputs: [Tensor], expected: Tensor? = nil, rtol: Double = 1e-9,
                    secondOrder: Bool = true, sourceLocation: SourceLocation = #_sourceLocation,
                    _ f: @escaping ([Tensor]) throws -> Tensor) throws {
  if let expected {
    expectClose(try f(inputs), expected, rtol: rtol, atol: 0, "\(name): forward value",
                sourceLocation: sourceLocation)
  }
  try checkGradients(name, at: inputs, secondOrder: secondOrder, sourceLocation: sourceLocation, f)
}
