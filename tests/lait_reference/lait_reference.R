# LAIT's quartile bands and national ranks for every authority and every
# indicator with a High or Low polarity, at the indicator's latest year.
#
# Base R only (no dplyr): each step restates what LAIT's Shiny app does
# (global.R, R/fn_analysis.R, R/fn_table_helpers.R, R/lait_modules/mod_la_lvl_table.R)
# so the result can be checked against kpi_excel without the app.
#
# Usage: Rscript lait_reference.R bds_long.csv lait_data_dictionary.csv out.csv
#   bds_long.csv: LAIT's bds_long_0.parquet written as CSV (all columns as text).

args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 3)
invisible(Sys.setlocale("LC_COLLATE", "C"))  # dplyr orders text in the C locale

bds <- read.csv(args[1], colClasses = "character", check.names = FALSE,
                na.strings = c("NA", ""), encoding = "UTF-8")
metrics <- read.csv(args[2], colClasses = "character", check.names = FALSE,
                    encoding = "UTF-8")

# Values: "-", "c", ".." and NA are missing; everything else as.numeric.
values_clean <- bds$Values
values_clean[values_clean %in% c("-", "c", "..")] <- NA
bds$values_num <- suppressWarnings(as.numeric(values_clean))
bds <- bds[!is.na(bds$Years), ]

# Authorities: areas whose LA Number is below 970.
bds$la_number <- as.numeric(bds[["LA Number"]])
la_rows <- bds[bds$la_number < 970, ]
la_names <- unique(la_rows[["LA and Regions"]])

# Data dictionary: trimmed key, discontinued measures out; an indicator listed
# twice keeps its first row (LAIT's own !duplicated() de-duplication).
metrics$Measure_short <- trimws(metrics$Measure_short)
metrics <- metrics[!grepl("DISCONTINUE", metrics$Table_status), ]
metrics <- metrics[!duplicated(metrics$Measure_short), ]
metrics <- metrics[metrics$Polarity %in% c("High", "Low"), ]
metrics <- metrics[metrics$Measure_short %in% la_rows[["Short Desc"]], ]

# calculate_quartile_band(): the same case_when, condition by condition.
quartile_band <- function(v, q, polarity, no_show_qb) {
  if (no_show_qb) return(rep("-", length(v)))
  out <- rep("Error", length(v))
  set <- rep(FALSE, length(v))
  step <- function(cond, band) {
    hit <- !set & !is.na(cond) & cond
    out[hit] <<- band
    set <<- set | hit
  }
  step(is.na(v), NA_character_)
  letters_in_order <- if (polarity == "Low") c("A", "B", "C", "D") else c("D", "C", "B", "A")
  step(v >= q[["0%"]] & v <= q[["25%"]], letters_in_order[1])
  step(v > q[["25%"]] & v <= q[["50%"]], letters_in_order[2])
  step(v > q[["50%"]] & v <= q[["75%"]], letters_in_order[3])
  step(v > q[["75%"]] & v <= q[["100%"]], letters_in_order[4])
  out
}

# calculate_rank(): min rank for ties, 1 = best, NA for a missing value.
la_rank <- function(v, polarity) {
  r <- if (polarity == "High") rank(-v, ties.method = "min", na.last = TRUE)
       else rank(v, ties.method = "min", na.last = TRUE)
  r[is.na(v)] <- NA
  r
}

results <- vector("list", nrow(metrics))
for (k in seq_len(nrow(metrics))) {
  short <- metrics$Measure_short[k]
  polarity <- metrics$Polarity[k]
  no_show_qb <- identical(metrics$No_Quartile[k], "N")
  rows <- la_rows[la_rows[["Short Desc"]] == short, ]
  # slice_max(Years): the greatest label, even where every value there is NA.
  years <- unique(rows$Years)
  latest <- years[order(years, method = "radix")][length(years)]
  at <- rows[rows$Years == latest, ]
  q <- quantile(at$values_num, na.rm = TRUE)  # type 7
  v <- at$values_num[match(la_names, at[["LA and Regions"]])]
  results[[k]] <- data.frame(
    indicator = short,
    area = la_names,
    period = latest,
    band = quartile_band(v, q, polarity, no_show_qb),
    rank = la_rank(v, polarity),
    stringsAsFactors = FALSE
  )
}
out <- do.call(rbind, results)
out <- out[order(out$indicator, out$area, method = "radix"), ]
write.csv(out, args[3], row.names = FALSE, na = "", fileEncoding = "UTF-8")
cat(sprintf("%d results (%d indicators x %d authorities) with %s\n",
            nrow(out), nrow(metrics), length(la_names), R.version.string))
