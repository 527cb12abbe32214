"""The Scrapy project: outlet registry, spiders, extraction and item pipelines."""
