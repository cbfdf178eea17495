//! Parquet output for every export format: the JSON Lines rows the format writes, read back
//! by Arrow's JSON decoder into record batches and written by Arrow's Parquet writer. One path
//! for every format keeps the columns the same as in JSON Lines by construction: objects
//! become structs, lists of messages lists of structs, numbers int64 or float64 as in the
//! JSON, the types `datasets` infers from the same rows.

use std::io::Write;
use std::sync::Arc;

use arrow_json::ReaderBuilder;
use arrow_schema::{ArrowError, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// Why rows could not be written as Parquet.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    #[error("the rows do not make one Arrow schema: {0}")]
    Schema(ArrowError),
    #[error("cannot turn the rows into Arrow columns: {0}")]
    Decode(ArrowError),
    #[error("cannot write Parquet: {0}")]
    Write(#[from] parquet::errors::ParquetError),
}

/// Rows per record batch (and so per page run): big enough that per-batch work is small,
/// small enough that a batch of long answers stays a few MB.
const BATCH: usize = 8192;

/// The Arrow schema of JSON Lines rows: every row is read, so a column that is null in the
/// first rows and text later is text.
pub fn schema_of(json: &[u8]) -> Result<Schema, ParquetError> {
    schema_in_chunks(json, 16 << 20)
}

/// [`schema_of`], inferred from chunks of whole lines of at least `chunk` bytes (the last may
/// be shorter).
fn schema_in_chunks(json: &[u8], chunk: usize) -> Result<Schema, ParquetError> {
    // Chunks of whole lines are inferred on all cores and merged; when two chunks disagree in
    // a way Arrow's merge does not settle (a list empty in one chunk), the whole is inferred
    // in one pass.
    let mut chunks = Vec::new();
    let mut rest = json;
    while !rest.is_empty() {
        let mut end = rest.len().min(chunk);
        if end < rest.len() {
            end = memchr::memchr(b'\n', &rest[end..]).map_or(rest.len(), |i| end + i + 1);
        }
        let (chunk, tail) = rest.split_at(end);
        chunks.push(chunk);
        rest = tail;
    }
    let one = |bytes: &[u8]| {
        arrow_json::reader::infer_json_schema(bytes, None)
            .map(|(s, _)| s)
            .map_err(ParquetError::Schema)
    };
    if chunks.len() <= 1 {
        return one(json);
    }
    use rayon::prelude::*;
    let parts: Vec<Schema> = chunks
        .par_iter()
        .map(|c| one(c))
        .collect::<Result<_, _>>()?;
    match Schema::try_merge(parts) {
        Ok(s) => Ok(s),
        Err(_) => one(json),
    }
}

/// Writes JSON Lines rows as one Parquet file (snappy-compressed, as `datasets` and pandas
/// write theirs). Returns the number of rows.
pub fn write<W: Write + Send>(json: &[u8], out: W) -> Result<usize, ParquetError> {
    let schema = Arc::new(schema_of(json)?);
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(props))?;
    let reader = ReaderBuilder::new(schema)
        .with_batch_size(BATCH)
        .build(json)
        .map_err(ParquetError::Decode)?;
    // Decoding JSON and encoding Parquet take about as long as each other: the batches are
    // decoded on a thread of their own while the writer encodes the ones before.
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        let decoder = s.spawn(move || {
            for batch in reader {
                let stop = batch.is_err();
                if tx.send(batch).is_err() || stop {
                    break;
                }
            }
        });
        let mut rows = 0;
        for batch in rx {
            let batch = batch.map_err(ParquetError::Decode)?;
            rows += batch.num_rows();
            writer.write(&batch)?;
        }
        decoder.join().expect("the JSON decoder does not panic");
        writer.close()?;
        Ok(rows)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::DataType;

    #[test]
    fn a_schema_inferred_in_chunks_of_lines_is_the_schema_of_the_whole() {
        // Lines of different lengths, cut into chunks of a few lines: a column null in the
        // first chunk and text in a later one, a list empty in one chunk (Arrow's merge then
        // fails and the whole is inferred in one pass) and a field only the last line has.
        let mut json = String::new();
        for i in 0..40 {
            let model = if i < 20 {
                "null".to_string()
            } else {
                format!("\"m{i}\"")
            };
            let tags = if i == 5 { "[]" } else { "[\"t\"]" };
            json.push_str(&format!(
                r#"{{"prompt":"{}","model":{model},"tags":{tags},"n":{i}}}"#,
                "p".repeat(i % 7)
            ));
            json.push('\n');
        }
        json.push_str(r#"{"prompt":"last","model":"m","tags":["t"],"n":1,"extra":true}"#);
        json.push('\n');
        let whole = schema_in_chunks(json.as_bytes(), usize::MAX).unwrap();
        let names: Vec<&str> = whole.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["prompt", "model", "tags", "n", "extra"]);
        assert_eq!(whole.field(1).data_type(), &DataType::Utf8);
        for chunk in [1, 50, 200, 700] {
            assert_eq!(
                schema_in_chunks(json.as_bytes(), chunk).unwrap(),
                whole,
                "chunks of {chunk} bytes"
            );
        }
    }

    #[test]
    fn messages_are_lists_of_structs_and_late_text_is_text() {
        let json = concat!(
            r#"{"prompt":[{"role":"user","content":"p"}],"model":null,"margin":1.0}"#,
            "\n",
            r#"{"prompt":[{"role":"user","content":"q"}],"model":"m","margin":2.5}"#,
            "\n",
        );
        let s = schema_of(json.as_bytes()).unwrap();
        let names: Vec<&str> = s.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["prompt", "model", "margin"]);
        match s.field(0).data_type() {
            DataType::List(f) => match f.data_type() {
                DataType::Struct(fs) => {
                    let names: Vec<&str> = fs.iter().map(|f| f.name().as_str()).collect();
                    assert_eq!(names, ["role", "content"]);
                }
                t => panic!("{t}"),
            },
            t => panic!("{t}"),
        }
        assert_eq!(s.field(1).data_type(), &DataType::Utf8);
        assert_eq!(s.field(2).data_type(), &DataType::Float64);
        let mut out = Vec::new();
        assert_eq!(write(json.as_bytes(), &mut out).unwrap(), 2);
        assert_eq!(&out[..4], b"PAR1");
    }
}
