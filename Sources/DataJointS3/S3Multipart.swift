import DataJointCore
import Foundation

/// One uploaded part of a multipart upload: its number and the ETag S3 gave it.
struct S3UploadedPart: Sendable, Hashable {
    var number: Int
    var etag: String
}

/// A multipart upload not completed or aborted yet, as ListMultipartUploads reports it.
struct S3PendingUpload: Sendable, Hashable {
    var key: String
    var uploadID: String
    /// When the upload was started.
    var initiated: Date?
}

/// The requests of a multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
/// AbortMultipartUpload, and ListMultipartUploads. ``S3ObjectWriter`` puts them together.
extension S3Store {
    /// S3 numbers parts 1...10000.
    static let maximumParts = 10_000
    /// The part size grows (doubles) after every this many parts, so that an object of unknown size may reach S3's
    /// 5 TB limit with a part size that starts small.
    static let partsPerSize = 1_000

    /// The size of part `number` (from 1): ``partSize`` for the first 1000 parts, doubled for each next 1000, at most
    /// 5 GiB (S3's largest part).
    func partSize(ofPart number: Int) -> Int {
        let doublings = min((number - 1) / Self.partsPerSize, 20)
        return min(partSize << doublings, 5 << 30)
    }

    /// Starts a multipart upload of `key` and returns its upload ID. Sent again only when the service certainly did
    /// not act on it (a second upload would be left pending).
    func createMultipartUpload(key: String) async throws -> String {
        let response = try await send(
            "POST", key: key, query: [("uploads", "")], idempotent: false, operation: "CreateMultipartUpload")
        guard response.isSuccess else { throw failure("CreateMultipartUpload", key: key, response) }
        guard let result = S3XMLElement.parse(response.body), result.name == "InitiateMultipartUploadResult",
            let uploadID = result.text(of: "UploadId"), !uploadID.isEmpty
        else {
            throw DataJointError(
                .store, "S3 CreateMultipartUpload of \(describe(key)): the response is not an InitiateMultipartUploadResult with an UploadId")
        }
        return uploadID
    }

    /// Uploads part `number` of the upload `uploadID` and returns its ETag (as sent, with its quotes).
    func uploadPart(_ data: Data, number: Int, uploadID: String, key: String) async throws -> S3UploadedPart {
        let response = try await send(
            "PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: data,
            operation: "UploadPart \(number)")
        guard response.isSuccess else { throw failure("UploadPart \(number)", key: key, response) }
        guard let etag = response.headers["etag"], !etag.isEmpty else {
            throw DataJointError(.store, "S3 UploadPart \(number) of \(describe(key)): the response has no ETag")
        }
        return S3UploadedPart(number: number, etag: etag)
    }

    /// Completes the upload `uploadID` of `key` from `parts` (in any order; sent sorted by number), making the object
    /// of `size` bytes visible. S3 may answer 200 with an `<Error>` document: that counts as a failure, and is sent
    /// again like a server error. When a retry finds the upload gone (`NoSuchUpload`) and the object there with the
    /// right size, an earlier attempt completed it.
    func completeMultipartUpload(key: String, uploadID: String, parts: [S3UploadedPart], size: Int) async throws {
        let body = Data(Self.completeMultipartUploadXML(parts).utf8)
        var attempts = 0
        while true {
            var response = try await send(
                "POST", key: key, query: [("uploadId", uploadID)], body: body,
                headers: [("Content-Type", "application/xml")], operation: "CompleteMultipartUpload")
            attempts += response.attempts
            response.attempts = attempts
            let document = response.isSuccess ? S3XMLElement.parse(response.body) : nil
            if response.isSuccess, document?.name == "CompleteMultipartUploadResult" { return }
            if response.isSuccess, let document, document.name == "Error" {
                // A failure inside a 200: read it as the refusal it is.
                let refusal = S3Response(status: 500, headers: response.headers, body: response.body, attempts: attempts)
                let code = document.text(of: "Code") ?? ""
                let retryable = code == "InternalError" || S3ResponseFailure.throttlingCodes.contains(code)
                if retryable, attempts < retryPolicy.maxAttempts {
                    try await Task.sleep(for: retryPolicy.delay(afterAttempt: attempts))
                    continue
                }
                throw failure("CompleteMultipartUpload", key: key, refusal)
            }
            if response.status == 404, response.errorCode == "NoSuchUpload", attempts > 1,
                let stored = try? await self.size(ofKey: key), stored == size
            {
                return
            }
            if response.isSuccess {
                throw DataJointError(
                    .store, "S3 CompleteMultipartUpload of \(describe(key)): the response is not a CompleteMultipartUploadResult")
            }
            throw failure("CompleteMultipartUpload", key: key, response)
        }
    }

    /// Gives up the upload `uploadID` of `key`: S3 drops its parts. Best effort: a failure is not reported (the
    /// upload then stays pending until the bucket's lifecycle rules remove it). Runs in a task of its own, so that
    /// it is sent also when the caller was cancelled.
    func abortMultipartUpload(key: String, uploadID: String) async {
        let store = self
        await Task { try? await store.abortUpload(key: key, uploadID: uploadID) }.value
    }

    /// AbortMultipartUpload of `uploadID`; an upload that is already gone (404) counts as aborted.
    /// - Throws: `.store` when the service refuses.
    func abortUpload(key: String, uploadID: String) async throws {
        let response = try await send("DELETE", key: key, query: [("uploadId", uploadID)], operation: "AbortMultipartUpload")
        if response.isSuccess || response.status == 404 { return }
        throw failure("AbortMultipartUpload", key: key, response)
    }

    /// The multipart uploads of keys starting with `prefix` that are neither completed nor aborted (first page: at
    /// most 1000).
    func pendingUploads(prefix: String) async throws -> [S3PendingUpload] {
        let response = try await send(
            "GET", key: nil, query: [("uploads", ""), ("prefix", prefix)], operation: "ListMultipartUploads")
        guard response.isSuccess else { throw failure("ListMultipartUploads", key: prefix, response) }
        guard let result = S3XMLElement.parse(response.body), result.name == "ListMultipartUploadsResult" else {
            throw DataJointError(
                .store, "S3 ListMultipartUploads of \(describe(prefix)): the response is not a ListMultipartUploadsResult")
        }
        return result.all("Upload").compactMap { upload in
            guard let key = upload.text(of: "Key"), let id = upload.text(of: "UploadId") else { return nil }
            return S3PendingUpload(key: key, uploadID: id, initiated: upload.text(of: "Initiated").flatMap(Self.lastModified))
        }
    }

    /// The size of the object at `key` (a HEAD request).
    func size(ofKey key: String) async throws -> Int {
        let response = try await send("HEAD", key: key)
        guard response.isSuccess, let length = response.headers["content-length"].flatMap({ Int($0) }) else {
            throw failure("HEAD", key: key, response)
        }
        return length
    }

    /// The body of CompleteMultipartUpload: every part's number and ETag, sorted by number.
    static func completeMultipartUploadXML(_ parts: [S3UploadedPart]) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(escapeXML(part.etag))</ETag></Part>"
        }
        return xml + "</CompleteMultipartUpload>"
    }

    /// Escapes the characters XML text may not hold as they are.
    static func escapeXML(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
