/// What the status writer last did with the newest listing it looked at: operators read it on
/// the admin API, tests wait for it instead of sleeping.
public struct StatusWriterProgress: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        /// Not leading: nothing written.
        case following
        /// Every status the listing's reports call for is already stored.
        case upToDate
        /// This many statuses were written (or found unchanged); the write-back brings a new listing.
        case wrote(Int)
        /// This many writes failed; another pass follows after the retry pause.
        case failed(Int)
    }

    /// The store index of the listing the pass looked at (0 before any listing).
    public var index: UInt64
    public var outcome: Outcome

    public init(index: UInt64, outcome: Outcome) {
        self.index = index
        self.outcome = outcome
    }
}
