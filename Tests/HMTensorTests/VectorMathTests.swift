import Foundation
import HMTensor
import HMTestSupport
import Testing

/// The vectorised float32 exp/tanh/sigmoid against libm in double precision, over a dense grid
/// and the IEEE edge cases.
@Suite struct VectorMathTests {
  var grid: [Double] {
    var xs: [Double] = []
    var x = -110.0
    while x < 95 { xs.append(Double(Float(x))); x += 0.00731 }
    var y = -1.0
    while y < 1 { xs.append(Double(Float(y))); y += 0.000173 }
    return (xs + [0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, 0.625, -0.625, 88.72, 88.73, -87.3, -103.9, -104])
      .map { Double(Float($0)) }  // exactly representable inputs, so libm sees what the kernel sees
  }

  func check(_ name: String, _ f: (Tensor) -> Tensor, _ ref: (Double) -> Double, rtol: Double) throws {
    let xs = grid
    let got = f(try Tensor(xs, shape: [xs.count], dtype: .float32)).toArray()
    var worst = 0.0, at = 0.0
    for (x, g) in zip(xs, got) {
      let r = Double(Float(ref(x)))
      if r.isInfinite || r.isNaN || r == 0 || Float(r).isSubnormal {
        #expect(g == r || (g == 0 && Float(r).isSubnormal) || Swift.abs(g - r) < 1e-37, "\(name)(\(x)) = \(g), expected \(r)")
        continue
      }
      let err = Swift.abs(g - r) / Swift.abs(r)
      if err > worst { worst = err; at = x }
    }
    #expect(worst <= rtol, "\(name): worst relative error \(worst) at \(at)")
  }

  @Test func expMatchesLibm() throws {
    try check("exp", { $0.exp() }, { Foundation.exp($0) }, rtol: 1.2e-7)
  }

  @Test func tanhMatchesLibm() throws {
    try check("tanh", { $0.tanh() }, { Foundation.tanh($0) }, rtol: 3e-7)
  }

  @Test func sigmoidMatchesLibm() throws {
    try check("sigmoid", { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }, rtol: 3e-7)
  }

  @Test func edgeCases() throws {
    let x = try Tensor([.nan, .infinity, -.infinity, 0, -0.0, 89, -105, 1000, -1000], shape: [9])
    let e = x.exp().toArray()
    #expect(e[0].isNaN && e[1] == .infinity && e[2] == 0 && e[3] == 1 && e[4] == 1)
    #expect(e[5] == .infinity && e[6] == 0 && e[7] == .infinity && e[8] == 0)
    let t = x.tanh().toArray()
    #expect(t[0].isNaN && t[1] == 1 && t[2] == -1 && t[3] == 0 && t[4] == 0 && t[4].sign == .minus)
    #expect(t[7] == 1 && t[8] == -1)
    let s = x.sigmoid().toArray()
    #expect(s[0].isNaN && s[1] == 1 && s[2] == 0 && s[3] == 0.5 && s[7] == 1 && s[8] == 0)
    // Tail elements (count not a multiple of 8) get the same values as vector lanes.
    let v = try Tensor((0..<19).map { Double($0) * 0.37 - 3 }, shape: [19])
    let whole = v.tanh().toArray()
    let part = try v.slice(axis: 0, 16, 19).tanh().toArray()
    #expect(Array(whole[16...]) == part)
  }
}
