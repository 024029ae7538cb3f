import Foundation
import Testing

@testable import DataJointS3

@Suite("AWS Signature Version 4")
struct SigV4SignerTests {
    /// The "GET Object" example of AWS's "Signature Calculations for the Authorization Header" (S3 documentation).
    @Test("the GET object example of the AWS documentation")
    func awsGetObjectExample() {
        let signer = SigV4Signer(
            accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            region: "us-east-1", service: "s3")
        let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        #expect(SigV4Signer.emptyPayloadHash == emptyHash)
        let signature = signer.sign(
            method: "GET", encodedPath: "/test.txt", query: [],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", emptyHash), ("x-amz-date", "20130524T000000Z"),
            ],
            payloadHash: emptyHash, amzDate: "20130524T000000Z")
        #expect(
            signature.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:\(emptyHash)
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                \(emptyHash)
                """)
        #expect(
            signature.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        #expect(signature.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(
            signature.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    /// The "GET Bucket" (list objects) example of the same page: a query string with and without values.
    @Test("the list objects example of the AWS documentation")
    func awsListObjectsExample() {
        let signer = SigV4Signer(
            accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            region: "us-east-1", service: "s3")
        let signature = signer.sign(
            method: "GET", encodedPath: "/", query: [("prefix", "J"), ("max-keys", "2")],
            headers: [
                ("host", "examplebucket.s3.amazonaws.com"),
                ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", "20130524T000000Z"),
            ],
            payloadHash: SigV4Signer.emptyPayloadHash, amzDate: "20130524T000000Z")
        #expect(signature.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("keys are encoded segment by segment, keeping only unreserved characters and /")
    func uriEncoding() {
        #expect(SigV4Signer.uriEncode("_schema/lab/t/id=1/name=a b+c/ü.bin", keepSlash: true)
            == "_schema/lab/t/id%3D1/name%3Da%20b%2Bc/%C3%BC.bin")
        #expect(SigV4Signer.uriEncode("AZaz09-_.~", keepSlash: true) == "AZaz09-_.~")
        #expect(SigV4Signer.uriEncode("a/b c", keepSlash: false) == "a%2Fb%20c")
        #expect(SigV4Signer.canonicalQuery([("prefix", "a/b"), ("list-type", "2"), ("continuation-token", "x+y=")])
            == "continuation-token=x%2By%3D&list-type=2&prefix=a%2Fb")
    }

    @Test("x-amz-date is UTC")
    func amzDate() {
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 1_369_353_600)) == "20130524T000000Z")
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 1_369_353_600 + 3_600 * 13 + 62)) == "20130524T130102Z")
    }
}
