/// The few ANSI SGR escape sequences the terminal back-end writes. Only emitted when
/// `TerminalStyle.colour` is true.
enum ANSIEscape {
  static let reset = "\u{1B}[0m"

  /// Basic foreground colour, SGR 30–37.
  static func foreground(code: Int) -> String { "\u{1B}[\(code)m" }

  /// 24-bit (`38;2;r;g;b`) or 256-colour (`38;5;n`) foreground.
  static func foreground(_ c: RGB, trueColour: Bool) -> String {
    trueColour ? "\u{1B}[38;2;\(c.red);\(c.green);\(c.blue)m" : "\u{1B}[38;5;\(c.xterm256Index)m"
  }

  /// 24-bit (`48;2;r;g;b`) or 256-colour (`48;5;n`) background.
  static func background(_ c: RGB, trueColour: Bool) -> String {
    trueColour ? "\u{1B}[48;2;\(c.red);\(c.green);\(c.blue)m" : "\u{1B}[48;5;\(c.xterm256Index)m"
  }

  /// `text` wrapped in a series colour when `style.colour`, unchanged otherwise.
  static func paint(_ text: String, code: Int, style: TerminalStyle) -> String {
    style.colour && !text.isEmpty ? foreground(code: code) + text + reset : text
  }
}
