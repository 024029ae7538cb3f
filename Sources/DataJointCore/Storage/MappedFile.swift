import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes of a local file mapped into memory (`mmap`): the system reads the pages when they are touched and may drop
/// them again, so a large array costs no memory up front.
enum MappedFile {
    /// The first `count` bytes of the file at `url` (fewer when it is shorter), read.
    static func prefix(of url: URL, count: Int) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            if !FileManager.default.fileExists(atPath: url.path) {
                throw DataJointError(.missingObject, "Missing object \(url.path) in store")
            }
            throw DataJointError(.store, "Cannot read \(url.path)")
        }
        defer { try? handle.close() }
        do {
            return try handle.read(upToCount: count) ?? Data()
        } catch {
            throw DataJointError(.store, "Cannot read \(url.path): \(FileStore.reason(error))")
        }
    }

    /// `count` bytes of the file at `url` from `offset`, mapped copy-on-write: changes made through the `Data` stay
    /// private and never reach the file. The mapping lasts as long as the `Data` (and its copies).
    ///
    /// - Throws: `.missingObject` when the file does not exist, `.codec` when it is shorter than `offset + count`
    ///   (a truncated file), `.store` when it cannot be mapped.
    static func map(_ url: URL, offset: Int, count: Int) throws -> Data {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw DataJointError(.missingObject, "Missing object \(url.path) in store") }
            throw DataJointError(.store, "Cannot read \(url.path): \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw DataJointError(.store, "Cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        // Touching a mapped page beyond the end of the file is a crash (SIGBUS), not an error: check first.
        guard offset >= 0, count >= 0, Int(status.st_size) - offset >= count else {
            throw DataJointError(
                .codec, "\(url.path) holds \(status.st_size) bytes, fewer than the \(offset + count) its header announces (truncated)")
        }
        guard count > 0 else { return Data() }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset - offset % page
        let length = count + (offset - start)
        guard let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor, off_t(start)),
            base != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            throw DataJointError(.store, "Cannot map \(url.path) into memory: \(String(cString: strerror(errno)))")
        }
        let address = Int(bitPattern: base)
        return Data(
            bytesNoCopy: base + (offset - start), count: count,
            deallocator: .custom { _, _ in _ = munmap(UnsafeMutableRawPointer(bitPattern: address), length) })
    }
}
