// The DataJoint-Python worker of a mixed soak.
import Foundation

enum SoakPythonWorker {
    /// A DataJoint-Python 2.3.5 program with the soak's tables (FaultPipeline.swift: RlKey, RlResult and its part
    /// Piece), populating with the jobs queue and printing the summary the Swift soak worker prints
    /// (with `restarts`: the errors that ended a populate call, after which it was called again).
    static func script(_ target: SoakTarget, schema: String, makeMilliseconds: Int) -> String {
        """
        import json, os, time
        import datajoint as dj

        \(target.pythonConfig)
        schema = dj.Schema('\(schema)')

        @schema
        class RlKey(dj.Manual):
            definition = '''
            key_id : int32
            '''

        @schema
        class RlResult(dj.Computed):
            definition = '''
            -> RlKey
            ---
            n_parts : int32
            '''

            class Piece(dj.Part):
                definition = '''
                -> master
                piece_idx : int16
                ---
                squared : int64
                '''

            def make(self, key):
                self.insert1(dict(key, n_parts=5))
                time.sleep(\(makeMilliseconds) / 1000)
                k = key['key_id']
                self.Piece.insert([dict(key, piece_idx=i, squared=k * k + i) for i in range(5)])

        # DataJoint-Python's queue statements can end in a deadlock under several workers (MySQL 1213), which
        # populate does not catch: the worker runs populate again, as a supervisor restarting it would.
        success, errors, restarts = 0, [], []
        while True:
            try:
                result = RlResult.populate(reserve_jobs=True, suppress_errors=True)
            except Exception as error:
                if len(restarts) >= 20:
                    raise
                restarts.append(f'{type(error).__name__}: {error}'[:160])
                time.sleep(0.2)
                continue
            success += result['success_count']
            errors += [str(message) for _key, message in result['error_list']]
            break
        print(json.dumps(dict(pid=os.getpid(), success=success, error=len(errors), errors=errors[:5], restarts=restarts)),
              flush=True)
        """
    }
}
