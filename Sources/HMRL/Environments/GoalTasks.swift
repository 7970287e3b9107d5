/// One task of a maze goal family: the maze with its goal on one cell, and the task's
/// feature vector (what the Siamese task metric f_φ sees).
public struct GoalTask: Sendable, Equatable {
  /// The goal cell.
  public let goal: GridPosition
  /// Task features: the goal's normalised coordinates (column/(columns−1), row/(rows−1)),
  /// the same encoding as `GridMaze.ObservationKind.normalizedCoordinates`, shape `[2]`.
  public let features: [Double]
  /// The maze with its goal moved to `goal` (its `mdp` is the task's MDP).
  public let maze: GridMaze
}

/// The goal-task family of a maze: one task per free cell, in row-major order.
///
/// Every non-wall cell except the start and the holes is a goal (the map's own `G`, if any, is
/// one of them). Horizon, reward scheme, slip and γ are the maze's.
///
/// - Throws: `RLError` naming `goalTasks` when the maze has no cell that can hold a goal.
/// - Complexity: O(cells³): one transition table per task.
public func goalTasks(_ maze: GridMaze) throws -> [GoalTask] {
  var tasks = [GoalTask]()
  for p in maze.positions {
    let kind = maze.cell(at: p)
    guard kind == .free || kind == .goal else { continue }
    tasks.append(GoalTask(goal: p, features: maze.normalizedCoordinates(of: p), maze: try maze.withGoal(at: p)))
  }
  guard !tasks.isEmpty else {
    throw RLError(.invalidMap, "goalTasks", "the maze has no free cell besides the start and holes")
  }
  return tasks
}
