//! `cabildo census import`: a large file with bad lines, both encodings,
//! a report of what was refused, and document numbers never stored.

use crate::support::{cabildo, run};
use cabildo_tenancy::testing::fresh_database_url;

const LETTERS: &[u8] = b"TRWAGMYFPDXBNJZSQVHLCKE";

fn dni(n: u32) -> String {
    format!("{n:08}{}", LETTERS[(n % 23) as usize] as char)
}

#[tokio::test]
async fn a_census_of_200000_residents_is_imported_with_bad_lines_reported() {
    let url = fresh_database_url().await.expect("database");
    let tenants_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tenants");
    let applied = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "apply", tenants_dir]));
    assert!(applied.ok, "{}", applied.stderr);

    let districts = [
        "casco-historico",
        "santa-barbara",
        "poligono",
        "palomarejos",
        "buenavista",
    ];
    let mut file = b"documento;fecha_nacimiento;distrito\n".to_vec();
    for i in 0..200_000u32 {
        let n = 10_000_000 + i * 7;
        file.extend_from_slice(
            format!(
                "{};{:02}/{:02}/{};{}\r\n",
                dni(n),
                1 + i % 28,
                1 + i % 12,
                1940 + i % 60,
                districts[(i % 5) as usize]
            )
            .as_bytes(),
        );
    }
    file.extend_from_slice(b"12345678A;1980-01-01;poligono\n"); // wrong letter
    file.extend_from_slice(b"12345678Z;1980-13-01;poligono\n"); // no such month
    file.extend_from_slice(b"12345678Z;1980-01-01;nowhere\n"); // unknown district
    file.extend_from_slice(b"12345678Z;1980-01-01\n"); // a field missing
    file.extend_from_slice(format!("{};1950-01-01;poligono\n", dni(10_000_000)).as_bytes()); // duplicate
    file.extend_from_slice(b"X1234567L;1975-06-30;casco-historico\n");
    let dir = tempdir();
    let path = dir.join("padron.csv");
    std::fs::write(&path, &file).expect("write");
    let report = dir.join("rejected.csv");

    let no_secret = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["census", "import", "--tenant", "toledo"])
        .arg(&path));
    assert!(
        !no_secret.ok && no_secret.stderr.contains("CABILDO_SECRET_KEY"),
        "{}",
        no_secret.stderr
    );

    let imported = run(cabildo()
        .env("DATABASE_URL", &url)
        .env(
            "CABILDO_SECRET_KEY",
            "a secret that is long enough for the test",
        )
        .args(["census", "import", "--tenant", "toledo", "--report"])
        .arg(&report)
        .arg(&path));
    assert!(imported.ok, "{}", imported.stderr);
    assert!(
        imported
            .stdout
            .contains("200001 residents imported, 1 duplicate lines skipped, 4 lines rejected"),
        "{}",
        imported.stdout
    );
    let rejected = std::fs::read_to_string(&report).expect("report");
    assert_eq!(
        rejected,
        "line,reason\n200002,document_letter\n200003,birth_date\n200004,district_unknown\n200005,field_count\n"
    );

    // Latin-1, as spreadsheets export; a second import replaces the first.
    let mut latin1 = b"document,birth_date,district\n".to_vec();
    latin1.extend_from_slice(b"\"12345678Z\",01/02/1990,santa-barbara\n");
    latin1.extend_from_slice(b"Y1234567X,1990-02-01,Pol\xedgono\n"); // "Polígono": no such code
    std::fs::write(&path, &latin1).expect("write");
    let again = run(cabildo()
        .env("DATABASE_URL", &url)
        .env(
            "CABILDO_SECRET_KEY",
            "a secret that is long enough for the test",
        )
        .args(["census", "import", "--tenant", "toledo"])
        .arg(&path));
    assert!(again.ok, "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains("1 residents imported, 0 duplicate lines skipped, 1 lines rejected"),
        "{}",
        again.stdout
    );

    let pool = sqlx::PgPool::connect(&url).await.expect("pool");
    let (rows, plain): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE encode(document_hash, 'escape') LIKE '%12345678%') FROM t_toledo.census",
    )
    .fetch_one(&pool)
    .await
    .expect("census");
    assert_eq!(
        (rows, plain),
        (1, 0),
        "one resident, stored only as a keyed hash"
    );
    let imports: i64 = sqlx::query_scalar("SELECT count(*) FROM t_toledo.census_imports")
        .fetch_one(&pool)
        .await
        .expect("imports");
    assert_eq!(imports, 2);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cabildo-census-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}
