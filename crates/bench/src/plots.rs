//! The report's SVG plots, drawn with plotters.

use plotters::prelude::*;

use crate::experiments::crossover;
use crate::workloads;
use crate::{Record, Results};

type Plot = Result<String, String>;

const BACKENDS: [&str; 5] = ["scalar", "simd", "threads", "simd-threads", "gpu"];

fn colour(backend: &str) -> RGBColor {
    match backend {
        "scalar" => RGBColor(120, 120, 120),
        "simd" => RGBColor(31, 119, 180),
        "threads" => RGBColor(255, 127, 14),
        "simd-threads" => RGBColor(44, 160, 44),
        _ => RGBColor(214, 39, 40),
    }
}

/// The name at whole position `x`, or nothing between names.
fn label_at(x: f64, names: &[&str]) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 {
        names
            .get(i as usize)
            .map_or(String::new(), |n| (*n).to_owned())
    } else {
        String::new()
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// A labelled line through `points` with a dot on each, in `c`: the series
/// every line plot here draws.
fn line_with_dots<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    points: Vec<(f64, f64)>,
    c: RGBAColor,
    label: impl Into<String>,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    chart
        .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))
        .map_err(err)?
        .label(label)
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], c.stroke_width(2)));
    chart
        .draw_series(points.into_iter().map(|p| Circle::new(p, 3, c.filled())))
        .map_err(err)?;
    Ok(())
}

fn records<'a>(results: &'a Results, experiment: &'a str) -> impl Iterator<Item = &'a Record> {
    results
        .records
        .iter()
        .filter(move |r| r.experiment == experiment && r.seconds_median.is_some())
}

/// Speed-up over scalar per problem and backend (the matrix, first size).
pub fn speedup(results: &Results) -> Plot {
    let names = workloads::ALL.map(|k| k.name());
    let bars: Vec<(usize, usize, f64)> = names
        .iter()
        .enumerate()
        .flat_map(|(p, problem)| {
            BACKENDS.iter().enumerate().filter_map(move |(b, backend)| {
                records(results, "matrix")
                    .find(|r| r.problem == *problem && r.backend == *backend)
                    .and_then(|r| r.speedup_vs_scalar)
                    .map(|s| (p, b, s))
            })
        })
        .collect();
    let top = bars.iter().map(|b| b.2).fold(1.0, f64::max) * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Speed-up over scalar (same run)", ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5..names.len() as f64 - 0.5, 0.0..top)
            .map_err(err)?;
        // Problems sit at whole x positions, so the axis labels name them.
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(names.len())
            .x_label_formatter(&|x| label_at(*x, &names))
            .y_desc("× scalar")
            .draw()
            .map_err(err)?;
        for (b, backend) in BACKENDS.iter().enumerate() {
            let c = colour(backend);
            chart
                .draw_series(bars.iter().filter(|bar| bar.1 == b).map(|&(p, b, s)| {
                    let x0 = p as f64 - 0.4 + b as f64 * 0.16;
                    Rectangle::new([(x0, 0.0), (x0 + 0.14, s)], c.filled())
                }))
                .map_err(err)?
                .label(*backend)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], c.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Speed-up over one thread against the thread count, with the ideal line.
pub fn threads(results: &Results) -> Plot {
    let rows: Vec<&Record> = records(results, "threads").collect();
    let max_t = rows.iter().map(|r| r.threads).max().unwrap_or(1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Thread scaling (speed-up over 1 thread)",
                ("sans-serif", 22),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(1.0..max_t.max(2.0), 0.0..max_t.max(2.0) * 1.1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("threads")
            .y_desc("× one thread")
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                [(1.0, 1.0), (max_t, max_t)],
                BLACK.mix(0.4),
            ))
            .map_err(err)?
            .label("ideal")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK.mix(0.4)));
        for (i, problem) in workloads::ALL.iter().enumerate() {
            for backend in ["threads", "simd-threads"] {
                let points: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|r| r.problem == problem.name() && r.backend == backend)
                    .filter_map(|r| {
                        Some((
                            r.threads as f64,
                            r.detail.as_ref()?["speedup_vs_1_thread"].as_f64()?,
                        ))
                    })
                    .collect();
                if points.is_empty() {
                    continue;
                }
                let c = Palette99::pick(i * 2 + usize::from(backend == "threads")).to_rgba();
                line_with_dots(
                    &mut chart,
                    points,
                    c,
                    format!("{} {backend}", problem.name()),
                )?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Rows × columns of a near-square grid of `n` panels (columns first).
fn grid(n: usize) -> (usize, usize) {
    let columns = (1..=n.max(1)).find(|c| c * c >= n).unwrap_or(1);
    (n.max(1).div_ceil(columns), columns)
}

/// ns per element against size, log-log, one panel per problem, with the
/// crossover of the fastest parallel path against its baseline marked.
pub fn sizes(results: &Results) -> Plot {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, 760)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let panels = root.split_evenly(grid(workloads::ALL.len()));
        for (panel, problem) in panels.iter().zip(workloads::ALL) {
            let rows: Vec<(&str, f64, f64)> = records(results, "sizes")
                .filter(|r| r.problem == problem.name())
                .filter_map(|r| {
                    let d = r.detail.as_ref()?;
                    Some((
                        r.backend,
                        d["elements"].as_f64()?,
                        d["ns_per_element"].as_f64()?,
                    ))
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let (x0, x1) = rows
                .iter()
                .fold((f64::MAX, 0.0f64), |(a, b), r| (a.min(r.1), b.max(r.1)));
            let (y0, y1) = rows
                .iter()
                .fold((f64::MAX, 0.0f64), |(a, b), r| (a.min(r.2), b.max(r.2)));
            let mut chart = ChartBuilder::on(panel)
                .caption(
                    format!("{}: ns per element", problem.name()),
                    ("sans-serif", 18),
                )
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(50)
                .build_cartesian_2d(
                    (x0 * 0.8..x1 * 1.25).log_scale(),
                    (y0 * 0.7..y1 * 1.4).log_scale(),
                )
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("elements")
                .draw()
                .map_err(err)?;
            for backend in BACKENDS {
                let points: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|r| r.0 == backend)
                    .map(|r| (r.1, r.2))
                    .collect();
                if points.is_empty() {
                    continue;
                }
                line_with_dots(&mut chart, points, colour(backend).to_rgba(), backend)?;
            }
            // Mark where simd-threads starts to beat simd.
            if let Some(size) = crossover(&results.records, problem.name(), "simd-threads", "simd")
                && let Some(x) = rows.iter().find(|r| r.0 == "simd-threads").map(|_| {
                    records(results, "sizes")
                        .find(|r| r.problem == problem.name() && r.size == size)
                        .and_then(|r| r.detail.as_ref()?["elements"].as_f64())
                })
                && let Some(x) = x
            {
                let mark = RGBColor(148, 103, 189);
                chart
                    .draw_series(LineSeries::new(
                        [(x, y0 * 0.7), (x, y1 * 1.4)],
                        mark.stroke_width(3),
                    ))
                    .map_err(err)?
                    .label("simd-threads beats simd from here")
                    .legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], mark.stroke_width(3))
                    });
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 12))
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Time against points per task, log-log, with the serial time as a line.
pub fn granularity(results: &Results) -> Plot {
    let rows: Vec<&Record> = records(results, "granularity").collect();
    let serial = rows
        .iter()
        .find(|r| r.backend == "scalar")
        .and_then(|r| r.seconds_median);
    let points: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.backend != "scalar")
        .filter_map(|r| {
            Some((
                r.detail.as_ref()?["task_points"].as_f64()?,
                r.seconds_median? * 1e3,
            ))
        })
        .collect();
    let x1 = points.iter().map(|p| p.0).fold(10.0, f64::max);
    let (y0, y1) = points
        .iter()
        .map(|p| p.1)
        .chain(serial.map(|s| s * 1e3))
        .fold((f64::MAX, 0.0f64), |(a, b), y| (a.min(y), b.max(y)));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Granularity: midpoint on rayon, k points per task",
                ("sans-serif", 22),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(
                (0.8..x1 * 1.25).log_scale(),
                (y0.min(1e9) * 0.7..y1.max(1e-9) * 1.4).log_scale(),
            )
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("points per task")
            .y_desc("ms")
            .draw()
            .map_err(err)?;
        line_with_dots(
            &mut chart,
            points,
            colour("threads").to_rgba(),
            "threads, tasks of k points",
        )?;
        if let Some(s) = serial {
            let g = colour("scalar");
            chart
                .draw_series(LineSeries::new(
                    [(0.8, s * 1e3), (x1 * 1.25, s * 1e3)],
                    g.stroke_width(2),
                ))
                .map_err(err)?
                .label("serial")
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], g.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Stacked bars of the GPU phases per problem.
pub fn gpu_split(results: &Results) -> Plot {
    let rows: Vec<(&str, [f64; 3])> = records(results, "gpu-split")
        .filter(|r| r.problem != "all")
        .filter_map(|r| {
            let d = r.detail.as_ref()?;
            let e2e = d["end_to_end"].as_f64()?;
            let up = d["upload"].as_f64()?;
            let back = d["readback"].as_f64()?;
            Some((
                r.problem,
                [up * 1e3, (e2e - up - back).max(0.0) * 1e3, back * 1e3],
            ))
        })
        .collect();
    let top = rows
        .iter()
        .map(|r| r.1.iter().sum::<f64>())
        .fold(1e-3, f64::max)
        * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Where a GPU call's time goes", ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5..rows.len().max(1) as f64 - 0.5, 0.0..top)
            .map_err(err)?;
        let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(rows.len().max(1))
            .x_label_formatter(&|x| label_at(*x, &names))
            .y_desc("ms")
            .draw()
            .map_err(err)?;
        let phases = [
            ("upload", RGBColor(31, 119, 180)),
            ("dispatch + wait", RGBColor(214, 39, 40)),
            ("readback", RGBColor(44, 160, 44)),
        ];
        for (k, (label, c)) in phases.iter().enumerate() {
            let c = *c;
            chart
                .draw_series(rows.iter().enumerate().map(|(i, r)| {
                    let base: f64 = r.1[..k].iter().sum();
                    Rectangle::new(
                        [(i as f64 - 0.25, base), (i as f64 + 0.25, base + r.1[k])],
                        c.filled(),
                    )
                }))
                .map_err(err)?
                .label(*label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], c.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The latency experiment, log–log: one-way time (left) and bandwidth
/// (right) against packet size, one line per transport.
pub fn latency(results: &Results) -> Plot {
    let transports = [
        ("threads", colour("threads")),
        ("jobs", colour("simd")),
        ("memcpy", colour("scalar")),
    ];
    let series = |transport: &str, value: fn(&Record) -> Option<f64>| -> Vec<(f64, f64)> {
        records(results, "latency")
            .filter(|r| r.backend == transport && r.size > 0)
            .filter_map(|r| Some((r.size as f64, value(r)?)))
            .filter(|p| p.1 > 0.0 && p.1.is_finite())
            .collect()
    };
    let one_way: fn(&Record) -> Option<f64> = |r| r.seconds_median.map(|s| s * 1e6);
    let bandwidth: fn(&Record) -> Option<f64> = |r| r.throughput.map(|b| b / 1e9);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let panels = root.split_evenly((1, 2));
        for (panel, (title, unit, value)) in panels.iter().zip([
            ("One-way time", "µs", one_way),
            ("Bandwidth", "GB/s", bandwidth),
        ]) {
            let all: Vec<(f64, f64)> = transports
                .iter()
                .flat_map(|(t, _)| series(t, value))
                .collect();
            let (x1, y0, y1) = all
                .iter()
                .fold((16.0f64, f64::MAX, 0.0f64), |(x, a, b), p| {
                    (x.max(p.0), a.min(p.1), b.max(p.1))
                });
            let (y0, y1) = if all.is_empty() {
                (0.01, 1.0)
            } else {
                (y0, y1)
            };
            let mut chart = ChartBuilder::on(panel)
                .caption(format!("{title} against packet size"), ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(60)
                .build_cartesian_2d(
                    (4.0..x1 * 2.0).log_scale(),
                    (y0 * 0.5..y1 * 2.0).log_scale(),
                )
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("bytes")
                .y_desc(unit)
                .draw()
                .map_err(err)?;
            for (transport, c) in transports {
                line_with_dots(&mut chart, series(transport, value), c.to_rgba(), transport)?;
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}
