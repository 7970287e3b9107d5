/// One task of a maze goal family: the maze with its goal on one cell, and the task's
/// feature vector (what the Siamese task metric f_φ sees).
public struct GoalTask: Sendable, Equatable {
  /// The goal cell.
  public let goal: GridPosition
  /// Task features: the goal's normalised coordinates (column/(columns−1), row/(rows−1)),
  /// the same encoding as `GridMaze.ObservationKind.normalizedCoordinates`, shape `[2]`.
  public let features: [Double]
  /// The family's maze (its own goal, if any, unchanged). Shared by all tasks (copy-on-write).
  public let baseMaze: GridMaze

  /// The maze with its goal moved to `goal`; its `mdp` is the task's MDP.
  ///
  /// Built on demand: a family of n tasks would otherwise hold n transition tables of
  /// O(S²·A) each.
  /// - Throws: never for tasks made by `goalTasks` (the goal is a free cell); `RLError` otherwise.
  /// - Complexity: O(S²·A).
  public func maze() throws -> GridMaze { try baseMaze.withGoal(at: goal) }
}

/// The goal-task family of a maze: one task per free cell, in row-major order.
///
/// Every non-wall cell except the start and the holes is a goal (the map's own `G`, if any, is
/// one of them). Horizon, reward scheme, slip and γ are the maze's.
///
/// - Throws: `RLError` naming `goalTasks` when the maze has no cell that can hold a goal.
/// - Complexity: O(cells); each task's MDP is built by `GoalTask.maze()` when needed.
public func goalTasks(_ maze: GridMaze) throws -> [GoalTask] {
  var tasks = [GoalTask]()
  for p in maze.positions {
    let kind = maze.cell(at: p)
    guard kind == .free || kind == .goal else { continue }
    tasks.append(GoalTask(goal: p, features: maze.normalizedCoordinates(of: p), baseMaze: maze))
  }
  guard !tasks.isEmpty else {
    throw RLError(.invalidMap, "goalTasks", "the maze has no free cell besides the start and holes")
  }
  return tasks
}
