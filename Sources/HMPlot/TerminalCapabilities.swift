#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How terminal output may be drawn: which glyphs and whether colour escape codes are allowed.
///
/// - `unicode`: Braille, block and half-block glyphs; otherwise ASCII fallbacks only.
/// - `colour`: ANSI SGR colour codes; when false the output contains **no escape codes**.
/// - `trueColour`: 24-bit colours for heatmaps; otherwise the xterm 256-colour palette.
public struct TerminalStyle: Sendable, Equatable {
  public var unicode: Bool
  public var colour: Bool
  public var trueColour: Bool

  public init(unicode: Bool, colour: Bool, trueColour: Bool = true) {
    self.unicode = unicode; self.colour = colour; self.trueColour = trueColour
  }

  /// ASCII glyphs, no escape codes: safe for pipes, files and logs.
  public static let plain = TerminalStyle(unicode: false, colour: false)
  /// Unicode glyphs without colour.
  public static let unicodeMonochrome = TerminalStyle(unicode: true, colour: false)
  /// Unicode glyphs with 24-bit colour.
  public static let full = TerminalStyle(unicode: true, colour: true, trueColour: true)
}

/// What a terminal (or the pipe standing in for one) can show, detected from the file
/// descriptor and the environment.
///
/// Rules (docs/plots.md, "Terminal rules"):
/// - colour only when the descriptor is a TTY, `TERM` is not `dumb`, and `NO_COLOR` is unset or
///   empty (no-color.org);
/// - Unicode glyphs only on a TTY whose locale (`LC_ALL`, else `LC_CTYPE`, else `LANG`) names
///   UTF-8, and `TERM` is not `dumb`;
/// - 24-bit colour when `COLORTERM` is `truecolor` or `24bit`, else 256 colours;
/// - width from `COLUMNS` when it is a positive integer, else the TTY's window size (ioctl),
///   else 80; height likewise from `LINES`, else the window size, else 24.
public struct TerminalCapabilities: Sendable, Equatable {
  public var isTerminal: Bool
  public var term: String?
  public var noColour: Bool
  public var utf8: Bool
  public var trueColour: Bool
  public var columns: Int
  public var rows: Int

  public init(isTerminal: Bool, term: String?, noColour: Bool, utf8: Bool, trueColour: Bool,
              columns: Int, rows: Int) {
    self.isTerminal = isTerminal; self.term = term; self.noColour = noColour; self.utf8 = utf8
    self.trueColour = trueColour; self.columns = columns; self.rows = rows
  }

  /// The style these capabilities allow.
  public var style: TerminalStyle {
    let dumb = term == "dumb"
    return TerminalStyle(unicode: isTerminal && utf8 && !dumb,
                         colour: isTerminal && !dumb && !noColour,
                         trueColour: trueColour)
  }

  /// Capabilities of `fileDescriptor` (standard output by default) under `environment`.
  ///
  /// `isTerminal` can be forced (tests, or a REPL that knows better); otherwise `isatty`.
  public static func detect(fileDescriptor: Int32 = 1,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            isTerminal forced: Bool? = nil) -> TerminalCapabilities {
    let tty = forced ?? (isatty(fileDescriptor) == 1)
    let locale = [environment["LC_ALL"], environment["LC_CTYPE"], environment["LANG"]]
      .compactMap { $0 }.first { !$0.isEmpty } ?? ""
    let upper = locale.uppercased()
    let utf8 = upper.contains("UTF-8") || upper.contains("UTF8")
    let noColour = !(environment["NO_COLOR"] ?? "").isEmpty
    let colourTerm = (environment["COLORTERM"] ?? "").lowercased()
    let window = tty ? windowSize(fileDescriptor) : nil
    let columns = positive(environment["COLUMNS"]) ?? window?.columns ?? 80
    let rows = positive(environment["LINES"]) ?? window?.rows ?? 24
    return TerminalCapabilities(isTerminal: tty, term: environment["TERM"], noColour: noColour,
                                utf8: utf8,
                                trueColour: colourTerm == "truecolor" || colourTerm == "24bit",
                                columns: columns, rows: rows)
  }

  private static func positive(_ s: String?) -> Int? {
    guard let s, let v = Int(s.filter { $0 != " " && $0 != "\t" }), v > 0, v < 10_000 else {
      return nil
    }
    return v
  }

  private static func windowSize(_ fd: Int32) -> (columns: Int, rows: Int)? {
    #if canImport(Glibc) || canImport(Darwin) || canImport(Musl)
    var ws = winsize()
    #if canImport(Darwin)
    let ok = ioctl(fd, TIOCGWINSZ, &ws) == 0
    #else
    let ok = ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0
    #endif
    guard ok, ws.ws_col > 0, ws.ws_row > 0 else { return nil }
    return (Int(ws.ws_col), Int(ws.ws_row))
    #else
    return nil
    #endif
  }
}
