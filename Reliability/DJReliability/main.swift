// dj-reliability: the fault, load and report program of scripts/reliability.
import DataJoint
import Foundation
import ReliabilitySupport

print("dj-reliability: nothing yet")
