/// Waits until `condition` holds, looking again every few milliseconds, for at most `timeout`
/// (generous: a busy machine only makes it slower, never wrong); false when it never held.
/// For conditions the code under test reaches on its own; timed paths use `ManualClock`.
public func eventually(timeout: Duration = .seconds(60), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return await condition()
}
