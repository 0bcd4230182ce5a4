import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a directory that mirrors a Consul KV tree: the file `<dir>/<key>.yaml` (or `.yml`,
/// `.json`) holds the value of `<key>`. Re-reads only files whose size, time or inode changed.
struct DirectoryTree {
    static let extensions = ["yaml", "yml", "json"]

    let directory: String
    private var files: [String: CachedFile] = [:]
    /// The last scan's files and listing: a scan that finds exactly the same files with the same
    /// fingerprints returns that listing without rebuilding it, and one that finds the same paths
    /// with a few rewritten patches those entries into it.
    private var lastScan: LastScan?

    private struct LastScan {
        var prefix: String
        var files: [(String, FileFingerprint)]
        var listing: KVListing
        /// Every file found, served or not.
        var fingerprints: [String: FileFingerprint]
        /// The listing entry each served file is, by relative path.
        var positions: [String: Int]
    }

    struct CachedFile {
        var fingerprint: FileFingerprint
        var value: [UInt8]
        var version: UInt64
    }

    init(directory: String) {
        self.directory = directory
    }

    /// Every entry under `prefix` (a key prefix such as `gloo/`), with findings for files that
    /// cannot be keys.
    mutating func scan(prefix: String) throws -> KVListing {
        // The directory as it was when the scan began: moved or replaced during the scan, the
        // scan fails (and the last good listing keeps being served) instead of being partial.
        let root = try DirectoryTree.identity(of: directory)
        func unchanged() throws {
            guard (try? DirectoryTree.identity(of: directory)) == root else {
                throw StoreError.unavailable(backend: "directory", cause: "\(directory) changed during the scan")
            }
        }
        let searchRoot = DirectoryTree.searchRoot(directory: directory, prefix: prefix)
        var byKey: [String: [String]] = [:]
        var problems: [Finding] = []
        var seen: [String: CachedFile] = [:]
        let found = try DirectoryTree.regularFiles(under: searchRoot, relativeTo: directory)
        if let lastScan, lastScan.prefix == prefix {
            if lastScan.files.elementsEqual(found, by: { $0 == $1 }) {
                try unchanged()
                return lastScan.listing
            }
            if let patched = patch(lastScan, with: found) {
                try unchanged()
                return patched
            }
        }
        var fingerprints: [String: FileFingerprint] = [:]
        for (relativePath, fingerprint) in found {
            let name = relativePath.lastIndex(of: "/").map { relativePath[relativePath.index(after: $0)...] } ?? relativePath[...]
            if name.hasPrefix(".") { continue }
            let ext = name.lastIndex(of: ".").map { String(name[name.index(after: $0)...]) } ?? ""
            guard DirectoryTree.extensions.contains(ext) else {
                if relativePath.hasPrefix(prefix) {
                    problems.append(Finding(
                        .warning, key: relativePath, reason: "not a .yaml, .yml or .json file; not read as a resource"))
                }
                continue
            }
            let key = String(relativePath.dropLast(ext.count + 1))
            guard key.hasPrefix(prefix) else { continue }
            byKey[key, default: []].append(relativePath)
            fingerprints[relativePath] = fingerprint
        }
        var entries: [KVEntry] = []
        for (key, paths) in byKey {
            guard paths.count == 1, let path = paths.first else {
                let names = paths.sorted().map { ($0 as NSString).lastPathComponent }.joined(separator: " and ")
                problems.append(Finding(.error, key: key, reason: "defined twice, by \(names); neither is served"))
                continue
            }
            do {
                let file = try read(path, fingerprint: fingerprints[path])
                seen[path] = file
                entries.append(KVEntry(key: key, value: file.value, version: file.version))
            } catch {
                problems.append(Finding(.error, key: key, reason: "cannot read \(path): \(error)"))
            }
        }
        try unchanged()
        files = seen.merging(files.filter { !$0.key.hasPrefix(prefix) }) { new, _ in new }
        entries.sort { $0.key < $1.key }
        let index = entries.reduce(UInt64(0)) { $0 &+ $1.version }
        let listing = KVListing(entries: entries, index: index, problems: problems)
        var positions: [String: Int] = [:]
        for (position, entry) in entries.enumerated() {
            if let path = byKey[entry.key]?.first { positions[path] = position }
        }
        let everyFile = Dictionary(found, uniquingKeysWith: { first, _ in first })
        lastScan = LastScan(prefix: prefix, files: found, listing: listing, fingerprints: everyFile, positions: positions)
        return listing
    }

    /// The last listing with rewritten files re-read, when `found` holds exactly the last scan's
    /// paths and every changed one is a served entry that still reads; nil otherwise (a file
    /// added, removed or unreadable takes the full path).
    private mutating func patch(_ last: LastScan, with found: [(String, FileFingerprint)]) -> KVListing? {
        guard found.count == last.files.count else { return nil }
        var changed: [(path: String, fingerprint: FileFingerprint, position: Int)] = []
        for (path, fingerprint) in found {
            guard let previous = last.fingerprints[path] else { return nil }
            if previous == fingerprint { continue }
            guard let position = last.positions[path] else { return nil }
            changed.append((path, fingerprint, position))
        }
        var listing = last.listing
        var fingerprints = last.fingerprints
        var reread: [(String, CachedFile)] = []
        for (path, fingerprint, position) in changed {
            guard let file = try? read(path, fingerprint: fingerprint) else { return nil }
            let old = listing.entries[position]
            listing.entries[position] = KVEntry(key: old.key, value: file.value, version: file.version)
            listing.index = listing.index &- old.version &+ file.version
            fingerprints[path] = fingerprint
            reread.append((path, file))
        }
        for (path, file) in reread { files[path] = file }
        lastScan = LastScan(prefix: last.prefix, files: found, listing: listing, fingerprints: fingerprints, positions: last.positions)
        return listing
    }

    /// The file holding `key`, if any.
    func existingPath(for key: String) -> String? {
        DirectoryTree.extensions.lazy.map { "\(key).\($0)" }.first {
            FileManager.default.fileExists(atPath: directory + "/" + $0)
        }
    }

    private func read(_ relativePath: String, fingerprint known: FileFingerprint?) throws -> CachedFile {
        let path = directory + "/" + relativePath
        let fingerprint = try known ?? FileFingerprint(path: path)
        if let cached = files[relativePath], cached.fingerprint == fingerprint { return cached }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.unavailable(backend: "directory", cause: "cannot read \(path)")
        }
        let bytes = [UInt8](data)
        return CachedFile(fingerprint: fingerprint, value: bytes, version: DirectoryTree.version(of: bytes))
    }

    /// A content hash (FNV-1a, 63 bits so it fits signed integers), never 0: equal bytes, equal version.
    static func version(of bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let version = hash & 0x7fff_ffff_ffff_ffff
        return version == 0 ? 1 : version
    }

    /// The deepest directory that can hold keys starting with `prefix`.
    private static func searchRoot(directory: String, prefix: String) -> String {
        let folder = prefix.hasSuffix("/") ? String(prefix.dropLast()) : (prefix as NSString).deletingLastPathComponent
        return folder.isEmpty ? directory : directory + "/" + folder
    }

    /// Regular files under `root` (paths relative to `base`) with their fingerprints: one
    /// `readdir` walk and one `stat` per file (a scan runs every poll interval, over every file).
    /// Symbolic links to files count as files; links to directories are not followed.
    /// A folder that cannot be opened fails the walk: a partial listing would drop resources.
    private static func regularFiles(under root: String, relativeTo base: String) throws -> [(String, FileFingerprint)] {
        var result: [(String, FileFingerprint)] = []
        // The search root may not exist yet (an empty tree); any other folder must open.
        if root != base, (try? identity(of: root)) == nil { return [] }
        func walk(_ absolute: String, _ relative: String) throws {
            guard let handle = opendir(absolute) else {
                throw StoreError.unavailable(backend: "directory", cause: "cannot open \(absolute): \(errnoText())")
            }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                var nameBuffer = entry.pointee.d_name
                let capacity = MemoryLayout.size(ofValue: nameBuffer)
                let name = withUnsafePointer(to: &nameBuffer) {
                    $0.withMemoryRebound(to: CChar.self, capacity: capacity) { String(cString: $0) }
                }
                if name == "." || name == ".." { continue }
                // Relative to the open directory: no path lookup from the root per file.
                var status = stat()
                guard fstatat(dirfd(handle), name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                let isLink = (status.st_mode & S_IFMT) == S_IFLNK
                if isLink, fstatat(dirfd(handle), name, &status, 0) != 0 { continue }
                switch status.st_mode & S_IFMT {
                case S_IFREG: result.append((relative + name, FileFingerprint(status)))
                case S_IFDIR where !isLink: try walk(absolute + "/" + name, relative + name + "/")
                default: break
                }
            }
        }
        try walk(root, root == base ? "" : String(root.dropFirst(base.count + 1)) + "/")
        return result
    }

    /// The device and inode of a directory; an error when it is not one.
    static func identity(of path: String) throws -> [UInt64] {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw StoreError.unavailable(backend: "directory", cause: "\(path) is not a directory")
        }
        return [UInt64(status.st_dev), UInt64(status.st_ino)]
    }
}

/// What changes when a file is rewritten: size, modification time and inode (atomic renames).
struct FileFingerprint: Hashable {
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int
    var inode: UInt64

    init(path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw StoreError.unavailable(backend: "directory", cause: "cannot stat \(path): \(errnoText())")
        }
        self.init(status)
    }

    init(_ status: stat) {
        size = Int64(status.st_size)
        #if canImport(Darwin)
        modifiedSeconds = status.st_mtimespec.tv_sec
        modifiedNanoseconds = status.st_mtimespec.tv_nsec
        #else
        modifiedSeconds = status.st_mtim.tv_sec
        modifiedNanoseconds = status.st_mtim.tv_nsec
        #endif
        inode = UInt64(status.st_ino)
    }
}
