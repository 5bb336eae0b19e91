/* Ferritin charts on the patient page and the clinician report.
 *
 * No inline script (the Content-Security-Policy forbids it): the section carries
 * data-chart-url; this file fetches that JSON (rlsapp.charts.views.chart_data)
 * and draws whichever canvases the server rendered. The server decides what is
 * drawable; an empty or thin history never reaches this file as an empty canvas.
 * The same numbers are in server-rendered tables next to each chart.
 */
(function () {
  "use strict";

  const COLORS = {
    ferritin: "#1f4e79",
    threshold: "#c0392b",
    reference: "#6c757d",
    infusion: "#6f42c1",
    projection: "#1f4e79",
    population: "#b45309",
    hemoglobin: "#d63384",
    hematocrit: "#fd7e14",
    tsat: "#198754",
    symptoms: "#a16207",
    oralIron: "rgba(25,135,84,0.10)",
    medicine: "rgba(13,110,253,0.28)",
    agonist: "rgba(180,83,9,0.35)",
  };
  const EPISODE_COLORS = ["#1f4e79", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#be123c"];
  const BLOOD = ["hemoglobin", "hematocrit", "tsat"];
  const SYMBOLS = { "<": "<", "<=": "≤", ">": ">", ">=": "≥" };
  // Above this many points a series is decimated (LTTB) so long histories stay fast.
  const DECIMATE_SAMPLES = 400;
  const REDUCED_MOTION = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function day(iso) {
    // Local midnight, so a date never shows as the day before west of UTC.
    const [y, m, d] = iso.split("-").map(Number);
    return new Date(y, m - 1, d).getTime();
  }

  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function shortDate(ms) {
    // The same "6 Aug 2027" as the server-rendered tables, whatever the browser's locale.
    const d = new Date(ms);
    return d.getDate() + " " + MONTHS[d.getMonth()] + " " + d.getFullYear();
  }

  function isCompact(canvas) {
    // The canvas itself is 300 px wide until Chart.js sizes it: measure its box instead.
    return canvas.parentNode.clientWidth < 600;
  }

  function round(value, digits) {
    const f = Math.pow(10, digits);
    return Math.round(value * f) / f;
  }

  function showError(section, message) {
    const box = section.querySelector(".chart-error");
    if (box) {
      box.textContent = message;
      box.classList.remove("d-none");
    }
  }

  function annotationLines(data, compact) {
    const annotations = {};
    annotations.threshold = {
      type: "line",
      scaleID: "y",
      value: data.threshold,
      borderColor: COLORS.threshold,
      borderWidth: 2,
      label: {
        display: true,
        content: "Threshold " + data.threshold + " µg/L",
        position: "start",
        backgroundColor: "rgba(192,57,43,0.85)",
        font: { size: 11 },
        padding: 3,
      },
    };
    data.reference_lines.forEach(function (line) {
      annotations["reference" + line.value] = {
        type: "line",
        scaleID: "y",
        value: line.value,
        borderColor: COLORS.reference,
        borderWidth: 1,
        borderDash: [2, 3],
        label: {
          display: !compact,
          content: line.label,
          position: "end",
          backgroundColor: "rgba(108,117,125,0.8)",
          font: { size: 10 },
          padding: 2,
        },
      };
    });
    return annotations;
  }

  // Oral iron courses as light full-height bands, RLS medicines as strips along the foot
  // of the chart (dopamine agonists in amber), augmentation and other dated medicine
  // events as dashed lines (issue 17). A course or medicine still taken runs to today.
  function treatmentBands(data, annotations, allDays, maxFerritin, compact) {
    const today = day(data.today);
    (data.courses || []).forEach(function (course, i) {
      allDays.push(day(course.start));
      annotations["course" + i] = {
        type: "box",
        xMin: day(course.start),
        xMax: course.end ? day(course.end) : today,
        backgroundColor: COLORS.oralIron,
        borderWidth: 0,
        label: {
          display: !compact,
          content: course.label,
          position: { x: "start", y: "start" },
          color: "#146c43",
          font: { size: 10 },
        },
      };
    });
    const strip = maxFerritin * 0.045;
    (data.medicines || []).forEach(function (medicine, i) {
      allDays.push(day(medicine.start));
      annotations["medicine" + i] = {
        type: "box",
        xMin: day(medicine.start),
        xMax: medicine.end ? day(medicine.end) : today,
        yMin: strip * i,
        yMax: strip * (i + 0.85),
        backgroundColor: medicine.dopamine_agonist ? COLORS.agonist : COLORS.medicine,
        borderWidth: 0,
        label: {
          display: true,
          content: medicine.label,
          position: { x: "start", y: "center" },
          color: "#212529",
          font: { size: 9 },
          padding: 1,
        },
      };
    });
    (data.medicine_events || []).forEach(function (event, i) {
      annotations["medicineEvent" + i] = {
        type: "line",
        scaleID: "x",
        value: day(event.date),
        borderColor: COLORS.population,
        borderDash: [4, 3],
        borderWidth: 1.5,
        label: {
          display: !compact,
          content: event.label,
          position: "end",
          yAdjust: -6,
          backgroundColor: "rgba(180,83,9,0.85)",
          font: { size: 9 },
          padding: 2,
        },
      };
    });
  }

  function historyConfig(data, canvas) {
    const compact = isCompact(canvas);
    const ferritin = data.ferritin.map(function (p) {
      return { x: day(p.date), y: p.value, c: p.comparator, lab: p.lab, ex: p.excluded, why: p.left_out };
    });
    const datasets = [
      {
        id: "ferritin",
        label: "Ferritin (µg/L)",
        data: ferritin,
        yAxisID: "y",
        borderColor: COLORS.ferritin,
        backgroundColor: COLORS.ferritin,
        borderWidth: 2,
        pointRadius: ferritin.length > 150 ? 0 : 3,
        pointStyle: function (ctx) {
          return ctx.raw && ctx.raw.c ? "triangle" : "circle";
        },
        // A draw left out of the fits is drawn hollow.
        pointBackgroundColor: function (ctx) {
          return ctx.raw && ctx.raw.ex ? "#ffffff" : COLORS.ferritin;
        },
        tension: 0,
      },
    ];

    const p = data.projection;
    if (p && p.fit_line) {
      datasets.push({
        id: "fit",
        label: "Fitted decline, current infusion",
        data: p.fit_line.map(function (q) {
          return { x: day(q.date), y: q.value };
        }),
        yAxisID: "y",
        borderColor: COLORS.projection,
        borderWidth: 1.5,
        borderDash: [2, 2],
        pointRadius: 0,
      });
    }
    if (p && p.band && p.band.length) {
      // The 80 % band of the estimate: where ferritin is likely to be, from the latest
      // result to the late end of the window; the line inside is its middle.
      const population = p.is_population_default;
      const color = population ? COLORS.population : COLORS.projection;
      const band = function (key) {
        return p.band.map(function (q) { return { x: day(q.date), y: q[key] }; });
      };
      datasets.push({
        id: "band-high",
        label: "Estimate, likely range (8 in 10)",
        data: band("high"),
        yAxisID: "y",
        borderColor: "rgba(0,0,0,0)",
        backgroundColor: population ? "rgba(180,83,9,0.15)" : "rgba(31,78,121,0.15)",
        pointRadius: 0,
        fill: "+1",
      });
      datasets.push({
        id: "band-low",
        label: "Estimate, likely range (low end)",
        data: band("low"),
        yAxisID: "y",
        borderColor: "rgba(0,0,0,0)",
        pointRadius: 0,
        fill: false,
      });
      datasets.push({
        id: "projection",
        label: population
          ? "Estimate from population default (not your data)"
          : "Estimate (middle of the range)",
        data: band("mid"),
        yAxisID: "y",
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        borderDash: [8, 5],
        pointRadius: 0,
      });
    }

    data.blood.forEach(function (series) {
      if (!series.points.length) return;
      datasets.push({
        id: series.code,
        label: series.label + " (" + series.unit + ")",
        data: series.points.map(function (q) {
          return { x: day(q.date), y: q.value, c: q.comparator, lab: q.lab };
        }),
        yAxisID: "blood",
        hidden: true,
        borderColor: COLORS[series.code],
        backgroundColor: COLORS[series.code],
        borderWidth: 1.5,
        pointRadius: series.points.length > 150 ? 0 : 2,
        unit: series.unit,
      });
    });
    if (data.symptoms.length) {
      datasets.push({
        id: "symptoms",
        label: "Symptom score (0–10)",
        data: data.symptoms.map(function (q) {
          return { x: day(q.date), y: q.value };
        }),
        yAxisID: "symptoms",
        borderColor: COLORS.symptoms,
        backgroundColor: COLORS.symptoms,
        borderWidth: 1.25,
        borderDash: [1, 2],
        pointRadius: data.symptoms.length > 150 ? 0 : 2,
        order: 10,
      });
    }

    const annotations = annotationLines(data, compact);
    // An episode measured at another lab than the one before: say so at its infusion,
    // so a jump is not read as a change in the person (assays differ).
    const labChanged = {};
    data.episodes.forEach(function (episode) {
      if (episode.lab_change) labChanged[episode.first_date] = true;
    });
    data.infusions.forEach(function (infusion, i) {
      const label = compact ? [infusion.product, infusion.dose_mg + " mg"] : [infusion.label];
      if (labChanged[infusion.date]) label.push("lab changed");
      annotations["infusion" + i] = {
        type: "line",
        scaleID: "x",
        value: day(infusion.date),
        borderColor: COLORS.infusion,
        borderWidth: 2,
        label: {
          display: true,
          content: label.length === 1 ? label[0] : label,
          position: "start",
          yAdjust: 0,
          backgroundColor: "rgba(111,66,193,0.9)",
          font: { size: compact ? 9 : 11 },
          padding: 3,
        },
      };
    });
    if (p && p.band && p.band.length && p.crossing) {
      annotations.crossing = {
        type: "label",
        xValue: day(p.crossing),
        yValue: data.threshold,
        yAdjust: -22,
        position: { x: "end", y: "center" },
        xAdjust: -4,
        content: [
          (p.is_population_default ? "Population default: " : "Estimate: ") + shortDate(day(p.crossing)),
          "range " + shortDate(day(p.early)) + " – " + (p.late ? shortDate(day(p.late)) : "next infusion"),
        ],
        color: p.is_population_default ? COLORS.population : COLORS.projection,
        backgroundColor: "rgba(255,255,255,0.85)",
        font: { size: 10 },
      };
    }

    const allDays = ferritin.map(function (q) { return q.x; })
      .concat(data.infusions.map(function (i) { return day(i.date); }));
    if (p && p.band && p.band.length) allDays.push(day(p.band[p.band.length - 1].date));
    const maxFerritin = Math.max.apply(null, ferritin.map(function (q) { return q.y; }).concat([data.threshold, 300]));
    treatmentBands(data, annotations, allDays, maxFerritin, compact);

    return {
      type: "line",
      data: { datasets: datasets },
      options: {
        parsing: false,
        normalized: true,
        animation: REDUCED_MOTION || ferritin.length > 300 ? false : { duration: 400 },
        maintainAspectRatio: false,
        interaction: { mode: "nearest", intersect: false, axis: "x" },
        scales: {
          x: {
            type: "time",
            min: Math.min.apply(null, allDays) - 14 * 864e5,
            max: Math.max.apply(null, allDays) + 30 * 864e5,
            time: { tooltipFormat: "d MMM yyyy", minUnit: "month" },
            ticks: { maxRotation: 0, autoSkipPadding: 12 },
          },
          y: {
            position: "left",
            beginAtZero: true,
            suggestedMax: Math.ceil((maxFerritin * 1.08) / 50) * 50,
            title: { display: true, text: "Ferritin µg/L" },
          },
          blood: {
            position: "right",
            display: "auto",
            beginAtZero: true,
            title: { display: !compact, text: "g/dL or %" },
            grid: { drawOnChartArea: false },
          },
          symptoms: {
            position: "right",
            display: "auto",
            min: 0,
            max: 10,
            ticks: { stepSize: 2 },
            title: { display: !compact, text: "Symptoms 0–10" },
            grid: { drawOnChartArea: false },
          },
        },
        plugins: {
          decimation: { enabled: true, algorithm: "lttb", samples: DECIMATE_SAMPLES },
          legend: {
            position: "bottom",
            labels: {
              boxWidth: 14,
              font: { size: compact ? 10 : 12 },
              // Hemoglobin, hematocrit and TSAT have their own checkboxes under the chart.
              filter: function (item, chartData) {
                const id = chartData.datasets[item.datasetIndex].id;
                return BLOOD.indexOf(id) < 0 && id !== "band-low";
              },
            },
          },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                const raw = ctx.raw || {};
                const ds = ctx.dataset;
                let text = (SYMBOLS[raw.c] || "") + ctx.formattedValue;
                if (["ferritin", "fit", "projection", "band-high", "band-low"].indexOf(ds.id) >= 0) text += " µg/L";
                else if (ds.unit) text += " " + ds.unit;
                let label = ds.label.replace(/ \(.*\)$/, "") + ": " + text;
                if (raw.lab) label += " · " + raw.lab;
                // A left-out draw says why (the point is hollow): "left out: illness".
                if (raw.why) label += " · " + raw.why;
                return label;
              },
            },
          },
          annotation: { annotations: annotations },
        },
      },
    };
  }

  function overlayConfig(data, canvas) {
    const compact = isCompact(canvas);
    const datasets = [];
    let maxWeeks = 0;
    data.episodes.forEach(function (episode, i) {
      if (!episode.points.length) return;
      const color = EPISODE_COLORS[i % EPISODE_COLORS.length];
      const when = shortDate(day(episode.date));
      datasets.push({
        id: "episode" + episode.number,
        label: when + " · " + episode.label,
        data: episode.points.map(function (q) {
          maxWeeks = Math.max(maxWeeks, q.weeks);
          return { x: q.weeks, y: q.value, c: q.comparator };
        }),
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: 3,
        pointStyle: function (ctx) {
          return ctx.raw && ctx.raw.c ? "triangle" : "circle";
        },
      });
      if (episode.linear) {
        const line = episode.linear.line;
        datasets.push({
          id: "fit" + episode.number,
          label: "fit, " + episode.linear.decline_per_week + " µg/L per week",
          data: line.map(function (q) {
            return { x: q.weeks, y: q.value };
          }),
          borderColor: color,
          borderWidth: 1.5,
          borderDash: [6, 4],
          pointRadius: 0,
        });
      }
    });
    return {
      type: "line",
      data: { datasets: datasets },
      options: {
        parsing: false,
        maintainAspectRatio: false,
        animation: REDUCED_MOTION ? false : { duration: 300 },
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: {
            type: "linear",
            min: 0,
            suggestedMax: Math.ceil(maxWeeks / 4) * 4,
            title: { display: true, text: "Weeks since infusion" },
            ticks: { stepSize: compact ? 8 : 4 },
          },
          y: { beginAtZero: true, title: { display: true, text: "Ferritin µg/L" } },
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              boxWidth: 14,
              font: { size: compact ? 10 : 12 },
            },
          },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? "Week " + round(items[0].parsed.x, 1) : "";
              },
              label: function (ctx) {
                const raw = ctx.raw || {};
                return ctx.dataset.label + ": " + (SYMBOLS[raw.c] || "") + ctx.formattedValue + " µg/L";
              },
            },
          },
          annotation: { annotations: { threshold: annotationLines(data, true).threshold } },
        },
      },
    };
  }

  function wireToggles(section, chart) {
    section.querySelectorAll("[data-series-toggle]").forEach(function (input) {
      const index = chart.data.datasets.findIndex(function (ds) {
        return ds.id === input.dataset.seriesToggle;
      });
      if (index < 0) return;
      input.checked = chart.isDatasetVisible(index);
      input.addEventListener("change", function () {
        chart.setDatasetVisibility(index, input.checked);
        chart.update();
      });
    });
  }

  function draw(section, data) {
    const charts = [];
    const history = section.querySelector("#history-chart");
    if (history) {
      const chart = new window.Chart(history, historyConfig(data, history));
      wireToggles(section, chart);
      charts.push(chart);
    }
    const overlay = section.querySelector("#overlay-chart");
    if (overlay) charts.push(new window.Chart(overlay, overlayConfig(data, overlay)));
    // Chart.js needs telling that the page is about to be printed at another width.
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (c) { c.resize(); });
    });
    window.addEventListener("afterprint", function () {
      charts.forEach(function (c) { c.resize(); });
    });
    return charts;
  }

  function load(section) {
    if (!window.Chart) {
      section.dataset.chartState = "error";
      showError(section, "The charting library did not load; the numbers are in the tables below.");
      return;
    }
    fetch(section.dataset.chartUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        draw(section, data);
        section.dataset.chartState = "drawn";
      })
      .catch(function () {
        section.dataset.chartState = "error";
        showError(section, "The charts could not be loaded; the numbers are in the tables below. Reload the page to try again.");
      });
  }

  document.querySelectorAll("[data-chart-url]").forEach(load);
  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
