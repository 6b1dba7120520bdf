//! The files of `finsight features training-set`: the entity rows read
//! from CSV, the result written as Parquet (what pandas and polars load)
//! or CSV.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use finsight_features::EntityKey;
use finsight_features::event::{from_micros, micros};
use finsight_features::training::TrainingRow;
use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Most rows one file may ask for.
pub const MAX_ROWS: usize = 10_000_000;

/// Reads `entity_type,entity_id,event_timestamp` rows, naming the line
/// and field of the first bad one.
pub fn read_entities(path: &Path) -> anyhow::Result<Vec<TrainingRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("entities: cannot read {}", path.display()))?;
    let header: Vec<String> = reader
        .headers()?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    anyhow::ensure!(
        header == ["entity_type", "entity_id", "event_timestamp"],
        "entities: the header must be entity_type,entity_id,event_timestamp"
    );
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.with_context(|| format!("entities line {line}"))?;
        let entity = EntityKey::parse(&record[0], &record[1])
            .map_err(|e| anyhow::anyhow!("entities line {line}: {e}"))?;
        let at = timestamp(&record[2]).ok_or_else(|| {
            anyhow::anyhow!(
                "entities line {line}: event_timestamp: {:?} is neither RFC 3339 nor YYYY-MM-DD",
                &record[2]
            )
        })?;
        rows.push(TrainingRow { entity, at });
        anyhow::ensure!(
            rows.len() <= MAX_ROWS,
            "entities: more than {MAX_ROWS} rows"
        );
    }
    Ok(rows)
}

fn timestamp(text: &str) -> Option<i64> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(micros(at));
    }
    let day = finsight_core::PostingDate::parse(text).ok()?.date();
    Some(micros(day.midnight().assume_utc()))
}

/// Writes the rows and their values: Parquet for `.parquet`, else CSV.
pub fn write(
    path: &Path,
    names: &[String],
    rows: &[TrainingRow],
    values: &[Vec<Option<f64>>],
) -> anyhow::Result<()> {
    let parquet = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let result = if parquet {
        write_parquet(path, names, rows, values)
    } else {
        write_csv(path, names, rows, values)
    };
    result.with_context(|| format!("out: cannot write {}", path.display()))
}

fn write_csv(
    path: &Path,
    names: &[String],
    rows: &[TrainingRow],
    values: &[Vec<Option<f64>>],
) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    let mut header = vec![
        "entity_type".to_owned(),
        "entity_id".into(),
        "event_timestamp".into(),
    ];
    header.extend(names.iter().cloned());
    writer.write_record(&header)?;
    for (row, values) in rows.iter().zip(values) {
        let mut record = vec![
            row.entity.kind.as_str().to_owned(),
            row.entity.id.clone(),
            from_micros(row.at).format(&Rfc3339)?,
        ];
        record.extend(
            values
                .iter()
                .map(|v| v.map(|v| v.to_string()).unwrap_or_default()),
        );
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

fn write_parquet(
    path: &Path,
    names: &[String],
    rows: &[TrainingRow],
    values: &[Vec<Option<f64>>],
) -> anyhow::Result<()> {
    let text = |name: &str| {
        Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
            .with_repetition(Repetition::REQUIRED)
            .with_converted_type(ConvertedType::UTF8)
            .build()
    };
    let mut fields = vec![
        Arc::new(text("entity_type")?),
        Arc::new(text("entity_id")?),
        Arc::new(
            Type::primitive_type_builder("event_timestamp", PhysicalType::INT64)
                .with_repetition(Repetition::REQUIRED)
                .with_logical_type(Some(LogicalType::Timestamp {
                    is_adjusted_to_u_t_c: true,
                    unit: TimeUnit::MICROS,
                }))
                .build()?,
        ),
    ];
    for name in names {
        fields.push(Arc::new(
            Type::primitive_type_builder(name, PhysicalType::DOUBLE)
                .with_repetition(Repetition::OPTIONAL)
                .build()?,
        ));
    }
    let schema = Arc::new(
        Type::group_type_builder("training_set")
            .with_fields(fields)
            .build()?,
    );
    let file = std::fs::File::create(path)?;
    let mut writer =
        SerializedFileWriter::new(file, schema, Arc::new(WriterProperties::builder().build()))?;
    for (chunk_rows, chunk_values) in rows.chunks(100_000).zip(values.chunks(100_000)) {
        let mut group = writer.next_row_group()?;
        let mut column = 0;
        while let Some(mut writer) = group.next_column()? {
            match column {
                0 | 1 => {
                    let texts: Vec<ByteArray> = chunk_rows
                        .iter()
                        .map(|r| {
                            ByteArray::from(if column == 0 {
                                r.entity.kind.as_str()
                            } else {
                                r.entity.id.as_str()
                            })
                        })
                        .collect();
                    writer
                        .typed::<ByteArrayType>()
                        .write_batch(&texts, None, None)?;
                }
                2 => {
                    let times: Vec<i64> = chunk_rows.iter().map(|r| r.at).collect();
                    writer
                        .typed::<Int64Type>()
                        .write_batch(&times, None, None)?;
                }
                _ => {
                    let feature = column - 3;
                    let present: Vec<f64> =
                        chunk_values.iter().filter_map(|v| v[feature]).collect();
                    let levels: Vec<i16> = chunk_values
                        .iter()
                        .map(|v| i16::from(v[feature].is_some()))
                        .collect();
                    writer
                        .typed::<DoubleType>()
                        .write_batch(&present, Some(&levels), None)?;
                }
            }
            writer.close()?;
            column += 1;
        }
        group.close()?;
    }
    writer.close()?;
    Ok(())
}
