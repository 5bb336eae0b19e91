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

  const parts = window.rlsChartParts;
  const COLORS = parts.COLORS;
  const FILLS = parts.FILLS;
  const POINT_STYLES = parts.POINT_STYLES;
  const BLOOD = parts.BLOOD;
  const SYMBOLS = parts.SYMBOLS;
  const day = parts.day;
  const shortDate = parts.shortDate;
  const isCompact = parts.isCompact;
  const annotationLines = parts.annotationLines;
  const labelRows = parts.labelRows;
  const labelFont = parts.labelFont;
  const labelStripHeight = parts.labelStripHeight;
  const topLabels = parts.topLabels;
  const treatmentBands = parts.treatmentBands;
  const extraLegendItems = parts.extraLegendItems;
  const overlayConfig = parts.overlayConfig;
  const clearOfThreshold = parts.clearOfThreshold;

  // Chart.js gives a legend below the chart at most half the chart's height and leaves out
  // the entries past it, so a long history's overlay (two entries per infusion) on a narrow
  // screen would lose entries and shrink the plot. The chart's box grows to fit both.
  function legendInView(chart) {
    const legend = chart.legend;
    if (!legend || !legend.legendHitBoxes.length) return;
    const bottom = Math.max.apply(null, legend.legendHitBoxes.map(function (b) { return b.top + b.height; }));
    const needed = bottom - legend.top + 10;
    if (needed <= legend.height + 1) return;
    chart.canvas.parentNode.style.height = Math.ceil(Math.max(2 * needed, needed + 200)) + "px";
    chart.resize();
  }

  // Above this many points a series is decimated (LTTB) so long histories stay fast.
  const DECIMATE_SAMPLES = 400;
  const REDUCED_MOTION = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function showError(section, message) {
    const box = section.querySelector(".chart-error");
    if (box) {
      box.textContent = message;
      box.classList.remove("d-none");
    }
  }

  // A dashed line through {date, value} points, in one colour, on one y-axis.
  function dashedLine(id, label, points, axis, colour, dash, more) {
    return Object.assign({
      id: id,
      label: label,
      data: points.map(function (q) { return { x: day(q.date), y: q.value }; }),
      yAxisID: axis,
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: 1.5,
      borderDash: dash,
    }, more);
  }

  // drawnOnly (the printed report, which has no series toggles): the legend names the
  // lines drawn, not those hidden until shown, which paper cannot show.
  function historyConfig(data, canvas, drawnOnly) {
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
      datasets.push(dashedLine("fit", "Fitted decline, current infusion", p.fit_line, "y",
        COLORS.projection, [2, 2], { pointRadius: 0 }));
    }
    const hasBand = p && p.band && p.band.length;
    if (hasBand) {
      // The 80 % band of the estimate: where ferritin is likely to be, from the latest
      // result to the late end of the window (or the chart's horizon, data.py); the line
      // inside is its middle.
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
        backgroundColor: population ? FILLS.populationBand : FILLS.band,
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
          ? "Estimate from population default (not own data)"
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

    // Hemoglobin, hematocrit, TSAT and the symptom score share the right axis: one
    // scale of plain numbers (g/dL, %, 0–10), so the chart has two y-axes at most.
    data.blood.forEach(function (series) {
      if (!series.points.length) return;
      datasets.push({
        id: series.code,
        label: series.label + " (" + series.unit + ")",
        data: series.points.map(function (q) {
          return { x: day(q.date), y: q.value, c: q.comparator, lab: q.lab };
        }),
        yAxisID: "other",
        hidden: true,
        borderColor: COLORS[series.code],
        backgroundColor: COLORS[series.code],
        borderWidth: 2,
        pointStyle: POINT_STYLES[series.code],
        pointRadius: series.points.length > 150 ? 0 : 4,
        unit: series.unit,
      });
    });
    if (data.symptoms.length) {
      datasets.push(dashedLine("symptoms", "Symptom score (0–10)", data.symptoms, "other",
        COLORS.symptoms, [1, 2], {
          pointStyle: "star",
          pointRadius: data.symptoms.length > 150 ? 0 : 4,
          order: 10,
        }));
    }

    const annotations = annotationLines(data);
    const labels = [];
    // An episode measured at another lab than the one before: say so at its infusion,
    // so a jump is not read as a change in the person (assays differ).
    const labChanged = {};
    data.episodes.forEach(function (episode) {
      if (episode.lab_change) labChanged[episode.first_date] = true;
    });
    data.infusions.forEach(function (infusion, i) {
      const changed = labChanged[infusion.date] ? " · lab changed" : "";
      annotations["infusion" + i] = {
        type: "line",
        scaleID: "x",
        value: day(infusion.date),
        borderColor: COLORS.infusion,
        borderWidth: 2,
        // Not drawn on the plot (see topLabels); kept here as the infusion's name.
        label: { display: false, content: infusion.label + changed },
      };
      labels.push({
        id: "infusion" + i,
        x: day(infusion.date),
        text: infusion.label + changed,
        short: infusion.dose_mg + " mg" + (changed ? " ·" : ""),
        color: COLORS.infusion,
        filled: true,
      });
    });
    if (hasBand && p.crossing) {
      const shown = Math.min(day(p.crossing), day(p.band[p.band.length - 1].date));
      const past = shown < day(p.crossing) ? " →" : "";
      annotations.crossing = {
        type: "point",
        xValue: shown,
        yValue: data.threshold,
        radius: 4,
        borderColor: p.is_population_default ? COLORS.population : COLORS.projection,
        backgroundColor: "#ffffff",
        borderWidth: 2,
        display: !past,
      };
      labels.unshift({
        id: "crossing",
        x: shown,
        text: (p.is_population_default ? "Population default: " : "Estimate: ") + shortDate(day(p.crossing)) + past,
        short: shortDate(day(p.crossing)) + past,
        color: p.is_population_default ? COLORS.populationText : COLORS.projectionText,
      });
    }

    const allDays = ferritin.map(function (q) { return q.x; })
      .concat(data.infusions.map(function (i) { return day(i.date); }));
    if (hasBand) allDays.push(day(p.band[p.band.length - 1].date));
    const maxFerritin = Math.max.apply(null, ferritin.map(function (q) { return q.y; }).concat([data.threshold, 300]));
    const strips = [];
    treatmentBands(data, annotations, labels, strips, allDays, maxFerritin);
    // Placed in order of importance (the estimate, infusions, then treatments), each
    // kind by date.
    const rank = function (item) {
      return item.id === "crossing" ? 0 : item.id.indexOf("infusion") === 0 ? 1 : 2;
    };
    labels.sort(function (a, b) { return rank(a) - rank(b) || a.x - b.x; });

    return {
      type: "line",
      data: { datasets: datasets },
      plugins: [topLabels],
      options: {
        parsing: false,
        normalized: true,
        animation: REDUCED_MOTION || ferritin.length > 300 ? false : { duration: 400 },
        maintainAspectRatio: false,
        // The strip above the plot holds infusion and event names; without any it would be
        // an empty band (three rows on a phone) between the heading and the chart.
        layout: { padding: { top: labels.length ? labelStripHeight(compact) : 8 } },
        interaction: { mode: "nearest", intersect: false, axis: "x" },
        scales: {
          x: {
            type: "time",
            min: Math.min.apply(null, allDays) - 14 * 864e5,
            max: Math.max.apply(null, allDays) + 30 * 864e5,
            time: { tooltipFormat: "d MMM yyyy", minUnit: "month" },
            ticks: { maxRotation: 0, autoSkipPadding: 12, maxTicksLimit: compact ? 4 : 12 },
          },
          y: {
            position: "left",
            beginAtZero: true,
            suggestedMax: Math.ceil((maxFerritin * 1.08) / 50) * 50,
            title: { display: true, text: "Ferritin µg/L" },
          },
          other: {
            position: "right",
            display: "auto",
            beginAtZero: true,
            suggestedMax: 10,
            title: { display: true, text: compact ? "g/dL, %, 0–10" : "Hb g/dL · Hct, TSAT % · symptoms 0–10" },
            grid: { drawOnChartArea: false },
          },
        },
        plugins: {
          decimation: { enabled: true, algorithm: "lttb", samples: DECIMATE_SAMPLES },
          rlsTopLabels: { items: labels, strips: strips, font: labelFont(compact), rows: labelRows(compact) },
          legend: {
            position: "bottom",
            labels: {
              boxWidth: compact ? 24 : 30,
              font: { size: compact ? 12 : 13 },
              color: "#212529",
              // Every series has an entry and its swatch (hidden ones struck through, or
              // left out where drawnOnly); the band's low edge is one entry with its high edge.
              generateLabels: function (chart) {
                const own = window.Chart.defaults.plugins.legend.labels.generateLabels(chart)
                  .filter(function (item) {
                    if (drawnOnly && item.hidden) return false;
                    return chart.data.datasets[item.datasetIndex].id !== "band-low";
                  })
                  .map(function (item) {
                    const ds = chart.data.datasets[item.datasetIndex];
                    // A line swatch with the series' dash, so dashed and solid differ.
                    item.pointStyle = ds.id === "band-high" ? "rect" : "line";
                    item.fillStyle = ds.id === "band-high" ? ds.backgroundColor : ds.borderColor;
                    item.strokeStyle = ds.id === "band-high" ? ds.backgroundColor : ds.borderColor;
                    item.lineWidth = 3;
                    return item;
                  });
                return own.concat(extraLegendItems(data));
              },
              usePointStyle: true,
            },
            onClick: function (event, item, legend) {
              // On the report a line hidden from the legend could not be shown again.
              if (item.extra || drawnOnly) return;
              window.Chart.defaults.plugins.legend.onClick.call(this, event, item, legend);
              syncToggles(legend.chart);
              clearOfThreshold(legend.chart, data.threshold);
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

  // The checkboxes under the chart (hemoglobin, hematocrit, TSAT, symptoms) get the
  // series' colour swatch and stay in step with the legend, which toggles them too.
  function wireToggles(section, chart) {
    chart.$toggles = [];
    section.querySelectorAll("[data-series-toggle]").forEach(function (input) {
      const index = chart.data.datasets.findIndex(function (ds) {
        return ds.id === input.dataset.seriesToggle;
      });
      if (index < 0) return;
      const label = section.querySelector("label[for='" + input.id + "']");
      if (label && !label.querySelector(".series-swatch")) {
        const swatch = document.createElement("span");
        swatch.className = "series-swatch";
        swatch.setAttribute("aria-hidden", "true");
        // CSSOM, not a style attribute: the Content-Security-Policy allows this.
        swatch.style.backgroundColor = chart.data.datasets[index].borderColor;
        label.insertBefore(swatch, label.firstChild);
      }
      input.checked = chart.isDatasetVisible(index);
      input.addEventListener("change", function () {
        chart.setDatasetVisibility(index, input.checked);
        clearOfThreshold(chart, chart.$threshold);
      });
      chart.$toggles.push({ input: input, index: index });
    });
  }

  function syncToggles(chart) {
    (chart.$toggles || []).forEach(function (t) {
      t.input.checked = chart.isDatasetVisible(t.index);
    });
  }

  function draw(section, data) {
    // Axis and tooltip numbers as the account's region writes them (1.050,5 or 1,050.5).
    if (data.locale) window.Chart.defaults.locale = data.locale;
    const charts = [];
    const history = section.querySelector("#history-chart");
    if (history) {
      const drawnOnly = section.dataset.legend === "drawn";
      const chart = new window.Chart(history, historyConfig(data, history, drawnOnly));
      chart.$threshold = data.threshold;
      clearOfThreshold(chart, data.threshold);
      wireToggles(section, chart);
      charts.push(chart);
    }
    const overlay = section.querySelector("#overlay-chart");
    const overlayEmpty = section.querySelector(".overlay-empty");
    if (overlay && overlayEmpty && data.states.overlay) {
      // The person page learns only from the data whether any infusion has two results
      // after it: without, its note replaces an empty chart.
      overlay.closest("figure").classList.add("d-none");
      overlayEmpty.classList.remove("d-none");
    } else if (overlay) {
      const overlayChart = new window.Chart(overlay, overlayConfig(data, overlay));
      legendInView(overlayChart);
      charts.push(overlayChart);
    }
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
      showError(section, "The charting library did not load; every number is in the results table.");
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
        showError(section, "The charts could not be loaded; every number is in the results table. Reload the page to try again.");
      });
  }

  document.querySelectorAll("[data-chart-url]").forEach(load);
  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
