@_exported import DataJointCore
@_exported import DataJointSQLite
@_exported import DataJointPostgres
@_exported import DataJointMySQL
@_exported import DataJointS3
