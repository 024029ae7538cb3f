import DataJoint

/// The University example database of the DataJoint documentation.
enum University {
    struct Student: Manual {
        static let definition = """
            student_id : int64
            ---
            first_name : varchar(40)
            last_name : varchar(40)
            sex : enum('F', 'M', 'U')
            date_of_birth : date
            home_address : varchar(120)
            home_city : varchar(60)
            home_state : char(2)
            home_zip : char(10)
            home_phone : varchar(20)
            """
    }

    struct Department: Manual {
        static let definition = """
            dept : varchar(6)   # abbreviated department name, e.g. BIOL
            ---
            dept_name : varchar(200)  # full department name
            dept_address : varchar(200)  # mailing address
            dept_phone : varchar(20)
            """
    }

    struct StudentMajor: Manual {
        static let definition = """
            -> Student
            ---
            -> Department
            declare_date : date  # when student declared her major
            """
    }

    struct Course: Manual {
        static let definition = """
            -> Department
            course : int64   # course number, e.g. 1010
            ---
            course_name : varchar(200)  # e.g. "Neurobiology of Sensation and Movement."
            credits : decimal(3,1)  # number of credits earned by completing the course
            """
    }

    struct Term: Manual {
        static let definition = """
            term_year : int16
            term : enum('Spring', 'Summer', 'Fall')
            """
    }

    struct Section: Manual {
        static let definition = """
            -> Course
            -> Term
            section : char(1)
            ---
            auditorium : varchar(12)
            """
    }

    struct CurrentTerm: Manual {
        static let definition = """
            omega = 0 : int8
            ---
            -> Term
            """
    }

    struct Enroll: Manual {
        static let definition = """
            -> Student
            -> Section
            """
    }

    struct LetterGrade: Lookup {
        static let definition = """
            grade : char(2)
            ---
            points : decimal(3,2)
            """
        static let contents: [Row] = [
            ["grade": "A", "points": "4.00"], ["grade": "A-", "points": "3.67"],
            ["grade": "B+", "points": "3.33"], ["grade": "B", "points": "3.00"],
            ["grade": "B-", "points": "2.67"], ["grade": "C+", "points": "2.33"],
            ["grade": "C", "points": "2.00"], ["grade": "C-", "points": "1.67"],
            ["grade": "D+", "points": "1.33"], ["grade": "D", "points": "1.00"],
            ["grade": "F", "points": "0.00"],
        ]
    }

    struct Grade: Manual {
        static let definition = """
            -> Enroll
            ---
            -> LetterGrade
            """
    }

    static let tables: [any UserTable.Type] = [
        Student.self, Department.self, StudentMajor.self, Course.self, Term.self, Section.self,
        CurrentTerm.self, Enroll.self, LetterGrade.self, Grade.self,
    ]

    /// Declares the schema and loads every table from its CSV file.
    static func load(into connection: Connection, schema name: String = "university") async throws -> Schema {
        let schema = try await connection.schema(name, tables: tables)
        for file in ["Student", "Department", "StudentMajor", "Course", "Term", "Section", "CurrentTerm", "Enroll", "Grade"] {
            try await schema.table(file).insert(csv: TestDatabase.resource("university/\(file).csv"))
        }
        return schema
    }
}
