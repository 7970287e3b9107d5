#if canImport(Glibc)
import Glibc
#endif

/// A format specification after `:` in an interpolation (`"{loss:.4f}"`, `"{n:>6}"`,
/// `"{rate:.1%}"`): Python's format-spec mini-language,
/// `[[fill]align][sign][0][width][,|_][.precision][type]`, with align `< > ^ =`, sign `+ - ' '`
/// and type `f F e E g G %` (numbers), `d x X o b` (ints) or `s` (strings).
/// Parsed when the script compiles, so a malformed spec is a syntax error.
public struct FormatSpec: Sendable, Equatable {
  var fill: Character = " "
  var align: Character?
  var sign: Character = "-"
  var width = 0
  var grouping: Character?
  var precision: Int?
  var type: Character?

  /// Parses `text`, or says what is wrong with it.
  public init(parsing text: String) throws(FormatSpecError) {
    var chars = Array(text)[...]
    let aligns: Set<Character> = ["<", ">", "^", "="]
    if chars.count >= 2, aligns.contains(chars[chars.startIndex + 1]) {
      fill = chars.removeFirst(); align = chars.removeFirst()
    } else if let c = chars.first, aligns.contains(c) {
      align = chars.removeFirst()
    }
    if let c = chars.first, c == "+" || c == "-" || c == " " { sign = chars.removeFirst() }
    if chars.first == "0" {
      chars.removeFirst()
      if align == nil { fill = "0"; align = "=" }
    }
    width = FormatSpec.digits(&chars) ?? 0
    if let c = chars.first, c == "," || c == "_" { grouping = chars.removeFirst() }
    if chars.first == "." {
      chars.removeFirst()
      guard let p = FormatSpec.digits(&chars) else { throw FormatSpecError("expected digits after '.' in the format spec '\(text)'") }
      precision = p
    }
    if let c = chars.first {
      guard "fFeEgG%dxXobs".contains(c) else {
        throw FormatSpecError("unknown format type '\(c)' in '\(text)' (f e g % d x o b s)")
      }
      type = chars.removeFirst()
    }
    guard chars.isEmpty else { throw FormatSpecError("unexpected '\(String(chars))' at the end of the format spec '\(text)'") }
    guard width <= 10_000, (precision ?? 0) <= 500 else { throw FormatSpecError("format spec '\(text)': width or precision too large") }
  }

  private static func digits(_ chars: inout ArraySlice<Character>) -> Int? {
    var n: Int?
    while let c = chars.first, let d = c.wholeNumberValue, c.isASCII {
      n = min((n ?? 0) * 10 + d, 1_000_000)
      chars.removeFirst()
    }
    return n
  }

  /// `value` formatted; `str` renders values the spec does not treat as numbers or strings.
  func format(_ value: Value, str: (Value) -> String) throws(RuntimeError) -> String {
    // Numbers; bools only with a numeric type (`{flag}` prints true, `{flag:d}` 1), as Python's.
    if type != "s" && (value.isNumber || (value.tag == .bool && type != nil)) {
      return pad(try number(value.tag == .bool ? Value(value.bool ? 1 : 0) : value, str: str), numeric: true)
    }
    if let type, type != "s" {
      throw RuntimeError("format type '\(type)' needs a number, got \(value.typeNameWithArticle)")
    }
    var text = str(value)
    if let precision, text.count > precision { text = String(text.prefix(precision)) }
    return pad(text, numeric: false)
  }

  private func number(_ v: Value, str: (Value) -> String) throws(RuntimeError) -> String {
    let isInt = v.tag == .int
    var body: String
    var negative = false
    switch type {
    case "d", "x", "X", "o", "b":
      guard isInt else { throw RuntimeError("format type '\(type ?? "d")' needs an int, got a float (use .0f)") }
      let n = v.int
      negative = n < 0
      let magnitude = n.magnitude
      switch type {
      case "x": body = String(magnitude, radix: 16)
      case "X": body = String(magnitude, radix: 16, uppercase: true)
      case "o": body = String(magnitude, radix: 8)
      case "b": body = String(magnitude, radix: 2)
      default: body = String(magnitude)
      }
    case nil where isInt && precision == nil:
      negative = v.int < 0
      body = String(v.int.magnitude)
    default:
      var x = v.number
      if type == "%" { x *= 100 }
      negative = x.sign == .minus && !x.isNaN
      x = abs(x)
      if !x.isFinite {
        body = x.isNaN ? "nan" : "inf"
        if type == "F" || type == "E" || type == "G" { body = body.uppercased() }
      } else {
        let p = precision ?? 6
        switch type {
        case "e", "E": body = cFormat("%.*\(type ?? "e")", p, x)
        case "g", "G": body = cFormat("%.*\(type ?? "g")", max(p, 1), x)
        case nil: body = precision == nil ? str(Value(x)) : cFormat("%.*g", max(p, 1), x)
        default: body = cFormat("%.*f", p, x)
        }
        if type == "%" { body += "%" }
      }
    }
    if let grouping { body = FormatSpec.group(body, with: grouping, every: type == "x" || type == "X" || type == "o" || type == "b" ? 4 : 3) }
    let signText = negative ? "-" : sign == "+" ? "+" : sign == " " ? " " : ""
    return signText + body
  }

  /// Inserts `separator` between groups of digits in the integer part.
  private static func group(_ body: String, with separator: Character, every n: Int) -> String {
    let digits = body.prefix { $0.isNumber }
    guard digits.count > n else { return body }
    var out = ""
    for (k, c) in digits.enumerated() {
      if k > 0 && (digits.count - k) % n == 0 { out.append(separator) }
      out.append(c)
    }
    return out + body.dropFirst(digits.count)
  }

  private func pad(_ text: String, numeric: Bool) -> String {
    let missing = width - text.count
    guard missing > 0 else { return text }
    let filler = { (n: Int) in String(repeating: self.fill, count: n) }
    switch align ?? (numeric ? ">" : "<") {
    case "<": return text + filler(missing)
    case "^": return filler(missing / 2) + text + filler(missing - missing / 2)
    case "=":
      // Padding between the sign and the digits (`{x:08.3f}` → -003.142).
      if let first = text.first, first == "-" || first == "+" || first == " " {
        return String(first) + filler(missing) + text.dropFirst()
      }
      return filler(missing) + text
    default: return filler(missing) + text
    }
  }
}

/// Why a format spec does not parse (reported as a syntax error at the interpolation).
public struct FormatSpecError: Error, Sendable {
  public var message: String
  init(_ message: String) { self.message = message }
}

/// printf-style formatting of one number with a precision (`%.*f`): C's snprintf.
public func cFormat(_ spec: String, _ precision: Int, _ value: Double) -> String {
  var buffer = [CChar](repeating: 0, count: 1024)
  let n = withVaList([Int32(precision), value]) { vsnprintf(&buffer, buffer.count, spec, $0) }
  return n < 0 ? "\(value)" : String(decoding: buffer.prefix(Int(min(n, 1023))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// printf-style formatting of one number (`%.3f`, `%.2e`, `%g`): C's snprintf.
public func cFormat(_ spec: String, _ value: Double) -> String {
  var buffer = [CChar](repeating: 0, count: 512)
  let n = withVaList([value]) { vsnprintf(&buffer, buffer.count, spec, $0) }
  return n < 0 ? "\(value)" : String(decoding: buffer.prefix(Int(min(n, 511))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
