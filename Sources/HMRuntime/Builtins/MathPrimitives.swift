#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Scalar math on ints and floats (tensors have their own element-wise functions).
enum MathPrimitives {
  static func unary(_ name: String, _ doc: String, _ example: String, _ f: @escaping (Double) -> Double) -> Primitive {
    Primitive(name, [ParameterSpec("x", .oneOf([.number, .object("tensor")]))], returns: "a float (a tensor for a tensor)",
              category: "math", doc: doc + " On a tensor, elementwise.", example: example) { call in
      if call[0].tag == .object { return try call.vm.invokeMethod(name, on: call[0]) }
      return Value(f(call.double(0)))
    }
  }

  static func extremum(_ name: String, less: Bool) -> Primitive {
    Primitive(name, [ParameterSpec("key", .optional(.function), default: .nil)], variadic: "values", category: "math",
              doc: "The \(less ? "smallest" : "largest") of the arguments, or of the elements of a single list argument; `key` maps each element to what is compared. An empty list is an error.",
              example: "\(name)(3, 1, 2)\n\(name)([\"aa\", \"b\"], key: len)") { call in
      var items = call.rest
      if items.count == 1, items[0].tag == .list { items = items[0].listObject.items }
      guard var best = items.first else { throw call.error("needs at least one value") }
      let key = call[0]
      var bestKey = key.isNil ? best : try call.vm.call(key, [best])
      for v in items.dropFirst() {
        let k = key.isNil ? v : try call.vm.call(key, [v])
        if less ? try call.vm.lessThan(k, bestKey) : try call.vm.lessThan(bestKey, k) { best = v; bestKey = k }
      }
      return best
    }
  }

  static let all: [Primitive] = [
    Primitive.constant("pi", category: "math", doc: "π, the ratio of a circle's circumference to its diameter.", example: "2 * pi") { _ in Value(Double.pi) },
    Primitive.constant("e", category: "math", doc: "Euler's number.", example: "log(e)  # 1.0") { _ in Value(M_E) },
    Primitive.constant("inf", category: "math", doc: "Positive infinity (a float).", example: "-inf < 0") { _ in Value(Double.infinity) },
    Primitive.constant("nan", category: "math", doc: "Not-a-number (a float); test with is_nan, since nan != nan.", example: "is_nan(nan)") { _ in Value(Double.nan) },
    Primitive("abs", [ParameterSpec("x", .number)], returns: "a number of the same kind", category: "math",
              doc: "Absolute value; ints stay ints (abs of the smallest int is an overflow error).", example: "abs(-3)") { call in
      let v = call[0]
      if v.tag == .int {
        if v.int == Int.min { throw call.error("integer overflow") }
        return Value(abs(v.int))
      }
      return Value(abs(v.float))
    },
    extremum("min", less: true),
    extremum("max", less: false),
    Primitive("round", [ParameterSpec("x", .number), ParameterSpec("digits", .optional(.int), default: .nil)],
              returns: "an int without digits, else a float", category: "math",
              doc: "Rounds half to even (as Python). Without `digits` the result is an int; with it, a float rounded to that many decimals.",
              example: "round(2.5)  # 2\nround(3.14159, digits: 2)") { call in
      let x = call.double(0)
      if call[1].isNil {
        let r = x.rounded(.toNearestOrEven)
        guard r.isFinite, let i = Int(exactly: r) else { throw call.error("cannot round \(formatFloat(x)) to an int") }
        return Value(i)
      }
      let m = pow(10.0, Double(call[1].int))
      return Value((x * m).rounded(.toNearestOrEven) / m)
    },
    Primitive("floor", [ParameterSpec("x", .number)], returns: "an int", category: "math", doc: "The largest int not above x.", example: "floor(-1.5)  # -2") { call in
      let r = call.double(0).rounded(.down)
      guard let i = Int(exactly: r) else { throw call.error("cannot convert \(formatFloat(r)) to an int") }
      return Value(i)
    },
    Primitive("ceil", [ParameterSpec("x", .number)], returns: "an int", category: "math", doc: "The smallest int not below x.", example: "ceil(1.2)  # 2") { call in
      let r = call.double(0).rounded(.up)
      guard let i = Int(exactly: r) else { throw call.error("cannot convert \(formatFloat(r)) to an int") }
      return Value(i)
    },
    unary("sqrt", "Square root; NaN for negative inputs.", "sqrt(2)") { $0.squareRoot() },
    unary("exp", "e raised to x.", "exp(1)") { Glibc.exp($0) },
    Primitive("log", [ParameterSpec("x", .number), ParameterSpec("base", .optional(.number), default: .nil)],
              returns: "a float", category: "math", doc: "Natural logarithm, or in the given base; log(0) is -inf, negative inputs give NaN.",
              example: "log(8, base: 2)  # 3.0") { call in
      let x = call.double(0)
      if call[1].isNil { return Value(Glibc.log(x)) }
      return Value(Glibc.log(x) / Glibc.log(call[1].number))
    },
    unary("log1p", "log(1 + x), accurate for small x.", "log1p(1e-10)") { Glibc.log1p($0) },
    unary("sin", "Sine (radians).", "sin(pi / 2)") { Glibc.sin($0) },
    unary("cos", "Cosine (radians).", "cos(0)") { Glibc.cos($0) },
    unary("tan", "Tangent (radians).", "tan(0.5)") { Glibc.tan($0) },
    unary("tanh", "Hyperbolic tangent.", "tanh(0.5)") { Glibc.tanh($0) },
    Primitive("atan2", [ParameterSpec("y", .number), ParameterSpec("x", .number)], returns: "a float", category: "math",
              doc: "The angle of the point (x, y) in radians, in (-π, π].", example: "atan2(1, 1)") { call in Value(Glibc.atan2(call.double(0), call.double(1))) },
    Primitive("is_nan", [ParameterSpec("x", .number)], returns: "a bool", category: "math", doc: "True for NaN.", example: "is_nan(0.0 * inf)") { call in Value(call[0].tag == .float && call.double(0).isNaN) },
    Primitive("is_finite", [ParameterSpec("x", .number)], returns: "a bool", category: "math", doc: "False for NaN and ±infinity.", example: "is_finite(1e308 * 10)") { call in Value(call.double(0).isFinite) },
    Primitive("clamp", [ParameterSpec("x", .number), ParameterSpec("lo", .number), ParameterSpec("hi", .number)], returns: "a number", category: "math",
              doc: "x limited to [lo, hi].", example: "clamp(1.7, 0, 1)  # 1") { call in
      if try call.vm.lessThan(call[0], call[1]) { return call[1] }
      if try call.vm.lessThan(call[2], call[0]) { return call[2] }
      return call[0]
    },
  ]
}
