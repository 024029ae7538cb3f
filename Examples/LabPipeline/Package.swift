// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "LabPipeline",
    platforms: [.macOS(.v15)],
    dependencies: [
        // DataJoint for Swift: here the checkout this example lives in; in your package, its repository URL.
        .package(name: "DataJoint", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "lab",
            dependencies: [
                .product(name: "DataJoint", package: "DataJoint"),
                .product(name: "DataJointCommand", package: "DataJoint"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
