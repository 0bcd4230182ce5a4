extension Array where Element: Sendable {
    /// `transform` applied to every element, at most `limit` at once (Vault reads share the HTTP
    /// client's eight connections per host); results in the array's order.
    func concurrentMap<T: Sendable>(limit: Int, _ transform: @escaping @Sendable (Element) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results = [T?](repeating: nil, count: count)
            var next = 0
            while next < Swift.min(limit, count) {
                let index = next
                group.addTask { (index, try await transform(self[index])) }
                next += 1
            }
            while let (index, value) = try await group.next() {
                results[index] = value
                if next < count {
                    let index = next
                    group.addTask { (index, try await transform(self[index])) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}
