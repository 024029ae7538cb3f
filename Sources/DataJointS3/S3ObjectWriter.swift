import DataJointCore
import Foundation

/// The writer of ``S3Store/writer(at:)``: holds up to one part in memory; once the object grows past a part, starts a
/// multipart upload and sends each full part while the next one fills, at most ``S3Store/maxConcurrentParts`` at a
/// time (``write(_:)`` waits for a part to finish before it starts another). ``finish()`` sends the last part and
/// completes the upload, or sends a small object with one PUT. A failed part, ``abort()``, the cancellation of the
/// task that writes, or a writer released unfinished aborts the upload: no object, no pending upload.
///
/// Calls are meant to come one after the other (each awaited); the actor keeps the writer consistent if they do not.
actor S3ObjectWriter: ObjectWriter {
    private enum State: Sendable {
        case open
        /// `finish()` is under way or done.
        case finishing
        case finished
        case aborted
        /// A part or the completion failed; the upload was aborted.
        case failed(DataJointError)
    }

    private let store: S3Store
    private let key: String
    private var state = State.open
    /// The bytes of the part being filled.
    private var buffer = Data()
    /// Bytes written so far.
    private var size = 0
    /// The number the next part gets.
    private var nextPart = 1
    /// CreateMultipartUpload, started with the first full part; its value is the upload ID.
    private var upload: Task<String, any Error>?
    /// Parts on their way, oldest first.
    private var running: [Task<S3UploadedPart, any Error>] = []
    /// Parts uploaded.
    private var uploaded: [S3UploadedPart] = []

    init(store: S3Store, key: String) {
        self.store = store
        self.key = key
    }

    deinit {
        // Released without finish or abort: give the upload up, so that no parts stay pending.
        guard let upload else { return }
        switch state {
        case .open, .finishing:
            for part in running { part.cancel() }
            let (store, key, parts) = (store, key, running)
            Task {
                for part in parts { _ = await part.result }
                if let id = try? await upload.value { await store.abortMultipartUpload(key: key, uploadID: id) }
            }
        case .finished, .aborted, .failed:
            break
        }
    }

    func write(_ data: Data) async throws {
        try checkOpen()
        var offset = data.startIndex
        while offset < data.endIndex {
            let capacity = store.partSize(ofPart: nextPart)
            if buffer.count == capacity {
                // The part is full and more bytes follow: send it.
                let part = buffer
                buffer = Data()
                try await send(part)
                continue
            }
            let count = min(capacity - buffer.count, data.endIndex - offset)
            if buffer.isEmpty, count == capacity, data.endIndex - offset > capacity {
                // A whole part of `data` with more after it: sent as a slice, without a copy.
                try await send(data[offset..<(offset + count)])
            } else {
                if buffer.isEmpty { buffer.reserveCapacity(min(capacity, data.endIndex - offset)) }
                buffer.append(data[offset..<(offset + count)])
            }
            offset += count
            size += count
        }
    }

    func finish() async throws -> Int {
        try checkOpen()
        state = .finishing
        do {
            guard let upload else {
                let data = buffer
                buffer = Data()
                try await store.putWhole(data, key: key)
                state = .finished
                return size
            }
            let last = buffer
            buffer = Data()
            if !last.isEmpty { try await send(last) }
            while !running.isEmpty { try await waitForOldestPart() }
            let uploadID = try await upload.value
            try await store.completeMultipartUpload(key: key, uploadID: uploadID, parts: uploaded, size: size)
            state = .finished
            return size
        } catch {
            throw await fail(error)
        }
    }

    func abort() async {
        switch state {
        case .finished, .aborted, .failed:
            return
        case .open, .finishing:
            state = .aborted
            buffer = Data()
            await abortUpload()
        }
    }

    // MARK: - Parts

    /// Throws unless more may be written.
    private func checkOpen() throws {
        switch state {
        case .open:
            return
        case .failed(let error):
            throw error
        case .finishing, .finished, .aborted:
            throw DataJointError(
                .notAllowed, "The write of \(store.url(forKey: key)) is finished or was given up: nothing more can be written")
        }
    }

    /// Starts the upload of the next part (starting the multipart upload first, for the first part), after waiting
    /// for a running part when as many as allowed run.
    private func send(_ data: Data) async throws {
        do {
            while running.count >= store.maxConcurrentParts { try await waitForOldestPart() }
            if Task.isCancelled { throw CancellationError() }
        } catch {
            throw await fail(error)
        }
        if isClosed { try checkOpen() }  // aborted while this call waited
        let number = nextPart
        guard number <= S3Store.maximumParts else {
            throw await fail(DataJointError(
                .store, "S3 upload of \(store.describe(key)): the object needs more than \(S3Store.maximumParts) parts (larger than S3's 5 TB)"))
        }
        nextPart += 1
        let upload = self.upload ?? Self.startUpload(store: store, key: key)
        self.upload = upload
        running.append(Self.startPart(data, number: number, upload: upload, store: store, key: key))
    }

    /// Starts CreateMultipartUpload in a task of its own (not tied to the writer, which it does not keep alive).
    private nonisolated static func startUpload(store: S3Store, key: String) -> Task<String, any Error> {
        Task { try await store.createMultipartUpload(key: key) }
    }

    /// Starts the upload of part `number` once the multipart upload has its ID.
    private nonisolated static func startPart(
        _ data: Data, number: Int, upload: Task<String, any Error>, store: S3Store, key: String
    ) -> Task<S3UploadedPart, any Error> {
        Task {
            let uploadID = try await upload.value
            return try await store.uploadPart(data, number: number, uploadID: uploadID, key: key)
        }
    }

    /// Whether nothing more may be sent: aborted, failed or finished.
    private var isClosed: Bool {
        switch state {
        case .open, .finishing: false
        case .finished, .aborted, .failed: true
        }
    }

    /// Waits for the oldest running part and records it. When the task that waits is cancelled, so are the parts.
    private func waitForOldestPart() async throws {
        let part = running.removeFirst()
        let others = running
        let result = await withTaskCancellationHandler {
            await part.result
        } onCancel: {
            part.cancel()
            for other in others { other.cancel() }
        }
        uploaded.append(try result.get())
        if Task.isCancelled { throw CancellationError() }
    }

    /// Gives the upload up after `error` and returns the error to throw: a `DataJointError` as it is, a cancellation
    /// as it is, anything else as a `.store` error.
    private func fail(_ error: any Error) async -> any Error {
        let reported: any Error
        switch error {
        case let error as DataJointError:
            reported = error
            state = .failed(error)
        case is CancellationError:
            reported = error
            state = .failed(DataJointError(.store, "The upload of \(store.describe(key)) was cancelled and given up"))
        default:
            let wrapped = DataJointError(.store, "S3 upload of \(store.describe(key)) failed: \(error)")
            reported = wrapped
            state = .failed(wrapped)
        }
        buffer = Data()
        await abortUpload()
        return reported
    }

    /// Cancels the running parts, waits for them to end, and aborts the multipart upload, if one was started.
    private func abortUpload() async {
        let parts = running
        running = []
        for part in parts { part.cancel() }
        for part in parts { _ = await part.result }
        guard let upload else { return }
        self.upload = nil
        guard let uploadID = try? await upload.value else { return }
        await store.abortMultipartUpload(key: key, uploadID: uploadID)
    }
}
