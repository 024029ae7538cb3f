@_exported import DataJointCore
@_exported import DataJointSQLite
