package io.echolab.watcher.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;

/**
 * Changes as CSV for a spreadsheet: a header row of {@link ChangeField} names, then one row per change with
 * the same fields as jsonl, empty where jsonl has null. Written by Jackson's CSV generator: a field with a
 * comma, a quote or a line break is quoted, quotes doubled (RFC 4180), and only such a field; rows end
 * with a newline.
 */
public final class CsvRenderer {

    /** One column per field; a row is written as a list of values in that order, null as an empty field. */
    private static final ObjectWriter CSV = new CsvMapper().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
            .writer(schema());

    private CsvRenderer() {
    }

    private static CsvSchema schema() {
        CsvSchema.Builder schema = CsvSchema.builder();
        for (ChangeField field : ChangeField.values()) {
            schema.addColumn(field.fieldName());
        }
        return schema.build();
    }

    /** {@code time,event,proto,...}: the header row, without its newline. */
    public static String header() {
        return write(Arrays.stream(ChangeField.values()).map(ChangeField::fieldName).toList());
    }

    /** The change as one row, without its final newline (a quoted field may hold one). */
    public static String row(StateChange change, boolean micros, Optional<Owner> owner) {
        ChangeField.Change fields = new ChangeField.Change(change, micros, owner);
        List<Object> values = new ArrayList<>(ChangeField.values().length);
        for (ChangeField field : ChangeField.values()) {
            values.add(field.of(fields));
        }
        return write(values);
    }

    private static String write(List<?> values) {
        String row;
        try {
            row = CSV.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a row of strings, numbers and booleans did not write as CSV: " + values, e);
        }
        return row.endsWith("\n") ? row.substring(0, row.length() - 1) : row;
    }
}
