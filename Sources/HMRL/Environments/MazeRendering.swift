/// Which characters terminal rendering uses.
public enum MazeGlyphs: String, Sendable, CaseIterable {
  /// `█` walls, `·` free, `○` holes, arrows `↑↓←→` and `•` for paths.
  case unicode
  /// `#` walls, `.` free, `H` holes, `^ v < >` and `*` for paths (for non-UTF-8 outputs).
  case ascii
}

extension GridMaze {
  /// The states visited by following the policy's most probable action with the intended
  /// (non-slipping) move from the start: s₀, s₁, …, stopping after H moves, at a terminal
  /// state, or when a move leaves the agent in place.
  /// - Throws: `RLError` naming `maze.greedyPath` when the policy does not fit the maze.
  /// - Complexity: O(H · A).
  public func greedyPath(_ policy: TabularPolicy) throws -> [Int] {
    try mdp.checkCompatible(policy, operation: "maze.greedyPath")
    var s = startState
    var path = [s]
    for _ in 0..<horizon {
      if mdp.isTerminal[s] { break }
      guard let action = Action(rawValue: policy.greedyActionUnchecked(at: s)) else { break }
      let q = GridMaze.moved(positions[s], action, cells: cells, rows: rows, columns: columns)
      guard let next = state(at: q), next != s else { break }
      path.append(next)
      s = next
    }
    return path
  }

  /// The maze as text, one character per cell, lines joined by "\n" (no trailing newline).
  ///
  /// Each trajectory (a sequence of states, e.g. `greedyPath(_:)` or an episode's
  /// `states + [finalState]`) is drawn with the direction of each move leaving a cell; a cell
  /// the agent stayed in (or left by a slip that is not one step) shows `•` (`*` in ASCII).
  /// Start, goal and holes keep their letters.
  ///
  /// - Throws: `RLError` (`.outOfRange`) naming `maze.render` for a state out of range.
  /// - Complexity: O(cells + total trajectory length).
  public func render(trajectories: [[Int]] = [], glyphs: MazeGlyphs = .unicode) throws -> String {
    var marks = [Character?](repeating: nil, count: rows * columns)
    for trajectory in trajectories {
      for (i, s) in trajectory.enumerated() {
        guard s >= 0, s < stateCount else {
          throw RLError(.outOfRange, "maze.render", "trajectory state \(s) is out of range 0..<\(stateCount)")
        }
        guard i + 1 < trajectory.count else { continue }
        let next = trajectory[i + 1]
        guard next >= 0, next < stateCount else {
          throw RLError(.outOfRange, "maze.render", "trajectory state \(next) is out of range 0..<\(stateCount)")
        }
        let p = positions[s], q = positions[next]
        marks[p.row * columns + p.column] = GridMaze.arrow(from: p, to: q, glyphs: glyphs)
      }
    }
    var lines = [String]()
    for r in 0..<rows {
      var line = ""
      for c in 0..<columns {
        let cell = cells[r * columns + c]
        switch cell {
        case .wall: line.append(glyphs == .unicode ? "█" : "#")
        case .start, .goal: line.append(cell.rawValue)
        case .hole: line.append(glyphs == .unicode ? "○" : "H")
        case .free: line.append(marks[r * columns + c] ?? (glyphs == .unicode ? "·" : "."))
        }
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }

  static func arrow(from p: GridPosition, to q: GridPosition, glyphs: MazeGlyphs) -> Character {
    let unicode = glyphs == .unicode
    switch (q.row - p.row, q.column - p.column) {
    case (-1, 0): return unicode ? "↑" : "^"
    case (1, 0): return unicode ? "↓" : "v"
    case (0, -1): return unicode ? "←" : "<"
    case (0, 1): return unicode ? "→" : ">"
    default: return unicode ? "•" : "*"
    }
  }

  /// The maze as a self-contained SVG document (no external styles or fonts), each
  /// trajectory drawn as a polyline through cell centres in its own colour.
  ///
  /// - Parameters:
  ///   - trajectories: state sequences, as for `render(trajectories:glyphs:)`.
  ///   - cellSize: side of a cell in SVG user units (> 0).
  /// - Throws: `RLError` naming `maze.svg` for a state out of range or a non-positive cell size.
  /// - Complexity: O(cells + total trajectory length).
  public func svg(trajectories: [[Int]] = [], cellSize: Double = 24) throws -> String {
    guard cellSize > 0, cellSize.isFinite else {
      throw RLError(.invalidArgument, "maze.svg", "cellSize must be a positive number, got \(cellSize)")
    }
    func n(_ x: Double) -> String {
      x == x.rounded() ? String(Int(x)) : String(format2(x))
    }
    let width = Double(columns) * cellSize, height = Double(rows) * cellSize
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\">\n"
    out += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>\n"
    for r in 0..<rows {
      for c in 0..<columns {
        let fill: String
        switch cells[r * columns + c] {
        case .wall: fill = "#2e3440"
        case .free: fill = "#eceff4"
        case .start: fill = "#a3be8c"
        case .goal: fill = "#ebcb8b"
        case .hole: fill = "#5e81ac"
        }
        out += "<rect x=\"\(n(Double(c) * cellSize))\" y=\"\(n(Double(r) * cellSize))\" width=\"\(n(cellSize))\" height=\"\(n(cellSize))\" fill=\"\(fill)\" stroke=\"#d8dee9\" stroke-width=\"1\"/>\n"
      }
    }
    let palette = ["#bf616a", "#d08770", "#b48ead", "#88c0d0", "#4c566a", "#8fbcbb"]
    for (k, trajectory) in trajectories.enumerated() {
      var points = [String]()
      for s in trajectory {
        guard s >= 0, s < stateCount else {
          throw RLError(.outOfRange, "maze.svg", "trajectory state \(s) is out of range 0..<\(stateCount)")
        }
        let p = positions[s]
        points.append("\(n((Double(p.column) + 0.5) * cellSize)),\(n((Double(p.row) + 0.5) * cellSize))")
      }
      guard !points.isEmpty else { continue }
      out += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(palette[k % palette.count])\" stroke-width=\"\(n(max(1, cellSize / 8)))\" stroke-linecap=\"round\" stroke-linejoin=\"round\" opacity=\"0.8\"/>\n"
    }
    out += "</svg>\n"
    return out
  }
}

/// A decimal rendering with at most 3 fractional digits, for compact SVG coordinates.
private func format2(_ x: Double) -> String {
  let scaled = (x * 1000).rounded() / 1000
  return "\(scaled)"
}
