"""The Scrapy crawler of the crawl benchmark (bench/crawl_bench.ts).

    python3 bench/crawl_scrapy.py START_URL

A CrawlSpider with one rule, Scrapy's LinkExtractor following every link on
the start URL's host: robots.txt obeyed, no delay, 16 requests in flight to
the host. Pages are fetched and their links followed; nothing is stored.
The start request goes through the duplicate filter like every other, so
the home page, which every page links to, is fetched once (Scrapy's own
start request skips the filter and fetches it twice).
"""

import sys
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class SiteSpider(CrawlSpider):
    name = "site"
    rules = (Rule(LinkExtractor(), follow=True),)

    def __init__(self, start, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = [start]
        self.allowed_domains = [urlsplit(start).hostname]

    def start_requests(self):
        for url in self.start_urls:
            yield scrapy.Request(url)


process = CrawlerProcess(
    settings={
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": True,
        "TELNETCONSOLE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "LOG_LEVEL": "INFO",
    }
)
process.crawl(SiteSpider, start=sys.argv[1])
process.start()
