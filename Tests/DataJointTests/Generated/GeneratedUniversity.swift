// Swift declarations of the schema `university`, written by `dj codegen` from the database.
// Every definition is the table's own (`describe()`): declaring these types changes nothing.

import DataJoint
import Foundation

/// The tables of the schema `university`.
enum GeneratedUniversity {
    /// The schema's name in the database.
    static let schemaName = "university"

    /// The tables in dependency order (parts are declared with their masters), for
    /// `db.schema(GeneratedUniversity.schemaName, tables: GeneratedUniversity.tables)`.
    static let tables: [any UserTable.Type] = [
        LetterGrade.self,
        Department.self,
        Course.self,
        Student.self,
        StudentMajor.self,
        Term.self,
        CurrentTerm.self,
        Section.self,
        Enroll.self,
        Grade.self,
    ]

    /// `#letter_grade`
    struct LetterGrade: Lookup {
        static let definition = """
            grade                : char(2)
            ---
            points               : decimal(3,2)
            """

        /// A row of `#letter_grade`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var grade: String
            var points: Decimal
        }
    }

    /// `department`
    struct Department: Manual {
        static let definition = """
            dept                 : varchar(6)  # abbreviated department name, e.g. BIOL
            ---
            dept_name            : varchar(200)  # full department name
            dept_address         : varchar(200)  # mailing address
            dept_phone           : varchar(20)
            """

        /// A row of `department`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var dept: String
            var dept_name: String
            var dept_address: String
            var dept_phone: String
        }
    }

    /// `course`
    struct Course: Manual {
        static let definition = """
            -> Department
            course               : int64  # course number, e.g. 1010
            ---
            course_name          : varchar(200)  # e.g. "Neurobiology of Sensation and Movement."
            credits              : decimal(3,1)  # number of credits earned by completing the course
            """

        /// A row of `course`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var dept: String
            var course: Int64
            var course_name: String
            var credits: Decimal
        }
    }

    /// `student`
    struct Student: Manual {
        static let definition = """
            student_id           : int64
            ---
            first_name           : varchar(40)
            last_name            : varchar(40)
            sex                  : enum('F', 'M', 'U')
            date_of_birth        : date
            home_address         : varchar(120)
            home_city            : varchar(60)
            home_state           : char(2)
            home_zip             : char(10)
            home_phone           : varchar(20)
            """

        /// A row of `student`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var student_id: Int64
            var first_name: String
            var last_name: String
            var sex: String
            var date_of_birth: CalendarDate
            var home_address: String
            var home_city: String
            var home_state: String
            var home_zip: String
            var home_phone: String
        }
    }

    /// `student_major`
    struct StudentMajor: Manual {
        static let definition = """
            -> Student
            ---
            -> Department
            declare_date         : date  # when student declared her major
            """

        /// A row of `student_major`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var student_id: Int64
            var dept: String
            var declare_date: CalendarDate
        }
    }

    /// `term`
    struct Term: Manual {
        static let definition = """
            term_year            : int16
            term                 : enum('Spring', 'Summer', 'Fall')
            """

        /// A row of `term`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var term_year: Int16
            var term: String
        }
    }

    /// `current_term`
    struct CurrentTerm: Manual {
        static let definition = """
            omega = 0            : int8
            ---
            -> Term
            """

        /// A row of `current_term`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var omega: Int8
            var term_year: Int16
            var term: String
        }
    }

    /// `section`
    struct Section: Manual {
        static let definition = """
            -> Course
            -> Term
            section              : char(1)
            ---
            auditorium           : varchar(12)
            """

        /// A row of `section`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var dept: String
            var course: Int64
            var term_year: Int16
            var term: String
            var section: String
            var auditorium: String
        }
    }

    /// `enroll`
    struct Enroll: Manual {
        static let definition = """
            -> Student
            -> Section
            """

        /// A row of `enroll`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var student_id: Int64
            var dept: String
            var course: Int64
            var term_year: Int16
            var term: String
            var section: String
        }
    }

    /// `grade`
    struct Grade: Manual {
        static let definition = """
            -> Enroll
            ---
            -> LetterGrade
            """

        /// A row of `grade`, for `fetch(as: Record.self)`.
        struct Record: Codable, Sendable, Hashable {
            var student_id: Int64
            var dept: String
            var course: Int64
            var term_year: Int16
            var term: String
            var section: String
            var grade: String
        }
    }
}
